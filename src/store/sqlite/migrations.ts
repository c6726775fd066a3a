/** Versioned schema of the SQLite journal; each step runs once, in a transaction, on open. */
export const SQLITE_MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, account TEXT NOT NULL, strategy TEXT, instrument TEXT,
        type TEXT NOT NULL, payload TEXT NOT NULL, version TEXT
      );
      CREATE INDEX events_type ON events(type, seq);
      CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY, account TEXT NOT NULL, strategy TEXT NOT NULL, instrument TEXT NOT NULL,
        side TEXT NOT NULL, type TEXT NOT NULL, quantity INTEGER NOT NULL, filled_quantity INTEGER NOT NULL,
        status TEXT NOT NULL, venue_order_id TEXT, reason TEXT, updated_seq INTEGER NOT NULL
      );
      CREATE TABLE fills (
        seq INTEGER NOT NULL, trade_id TEXT PRIMARY KEY, client_order_id TEXT NOT NULL, account TEXT NOT NULL,
        strategy TEXT NOT NULL, instrument TEXT NOT NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL,
        price INTEGER NOT NULL, fee TEXT NOT NULL, ts INTEGER NOT NULL
      );
      CREATE TABLE positions (
        account TEXT NOT NULL, instrument TEXT NOT NULL, lots INTEGER NOT NULL, updated_seq INTEGER NOT NULL,
        PRIMARY KEY (account, instrument)
      );
      CREATE TABLE balances (
        account TEXT PRIMARY KEY, currency TEXT NOT NULL, cash TEXT NOT NULL, equity TEXT NOT NULL,
        realized_pnl TEXT NOT NULL, updated_seq INTEGER NOT NULL
      );`,
  },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version;
