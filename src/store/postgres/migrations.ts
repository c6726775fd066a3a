import type pg from 'pg';
import { KeelError } from '../../model/index.ts';

/**
 * Versioned schema of the PostgreSQL journal. A migration is appended, never edited: a journal written by
 * version N must open under every later version of the code. `schema_migrations` records what was applied.
 */
interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL run with `search_path` set to the journal's schema. */
  readonly sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, snapshots and read models',
    sql: `
      -- seq is assigned by the single writer as last + 1 inside the append transaction, not by a sequence:
      -- a rolled-back nextval() would leave a gap, and readers rely on 1, 2, 3, ... without gaps.
      CREATE TABLE events (
        seq        bigint PRIMARY KEY,
        ts         bigint NOT NULL,
        account    text   NOT NULL,
        strategy   text,
        instrument text,
        type       text   NOT NULL,
        -- The codec's text, kept exactly (key order, bigint tags): a restored journal is byte-identical. Not
        -- json/jsonb: the codec always writes valid JSON, and validating it again costs ~12% of append
        -- throughput; ad-hoc queries can still say payload::json.
        payload    text   NOT NULL,
        version    text
      );
      -- No secondary index on events: each would cost every append (~30% for one on account), and reads that
      -- filter by stream or type scan in seq order anyway.

      CREATE TABLE snapshots (
        seq      bigint PRIMARY KEY,
        ts       bigint NOT NULL,
        state    text   NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE orders (
        client_order_id  text PRIMARY KEY,
        account          text    NOT NULL,
        strategy         text    NOT NULL,
        instrument       text    NOT NULL,
        side             text    NOT NULL,
        type             text    NOT NULL,
        quantity         bigint  NOT NULL,
        filled_quantity  bigint  NOT NULL,
        status           text    NOT NULL,
        venue_order_id   text,
        reason           text,
        is_open          boolean NOT NULL,
        updated_seq      bigint  NOT NULL
      );
      -- Only open orders are indexed: the index stays as small as the working book.
      CREATE INDEX orders_open ON orders (account) WHERE is_open;

      -- One row per journaled fill event.
      CREATE TABLE fills (
        seq             bigint PRIMARY KEY,
        trade_id        text   NOT NULL,
        client_order_id text   NOT NULL,
        account         text   NOT NULL,
        strategy        text   NOT NULL,
        instrument      text   NOT NULL,
        side            text   NOT NULL,
        quantity        bigint NOT NULL,
        price           bigint NOT NULL,
        -- Money in 10^-12 units, exact (numeric prints back the digits String(bigint) wrote).
        fee             numeric NOT NULL,
        ts              bigint NOT NULL
      );

      CREATE TABLE positions (
        account     text   NOT NULL,
        instrument  text   NOT NULL,
        lots        bigint NOT NULL,
        updated_seq bigint NOT NULL,
        PRIMARY KEY (account, instrument)
      );

      CREATE TABLE balances (
        account      text    NOT NULL,
        currency     text    NOT NULL,
        cash         numeric NOT NULL,
        equity       numeric NOT NULL,
        realized_pnl numeric NOT NULL,
        updated_seq  bigint  NOT NULL,
        PRIMARY KEY (account, currency)
      );
    `,
  },
  {
    version: 2,
    name: 'read models committed after their events (watermark)',
    sql: `
      -- The last event the read models include. They are committed after the events, in a statement of their
      -- own on a connection of their own (an order intent's write-ahead commit is then only its event); a
      -- journal opened for writing folds the events after this first, and readers lay them over the rows.
      CREATE TABLE read_model_state (
        id  int    PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL
      );
      -- Until now the read models were committed with the events: they include every event there is.
      INSERT INTO read_model_state (id, seq) SELECT 1, coalesce(max(seq), 0) FROM events;
    `,
  },
  {
    version: 3,
    name: 'audit trail',
    sql: `
      -- The random id the audit chain's first record links to (security/audit/chain.ts): a chain copied in
      -- from another journal does not verify here. One row, set once; restores carry it over.
      CREATE TABLE audit_chain (
        id         int         PRIMARY KEY CHECK (id = 1),
        chain_id   text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO audit_chain (id, chain_id) VALUES (1, replace(gen_random_uuid()::text, '-', ''));

      -- Append-only, hash-chained operator and security events (store/audit-table.ts). seq is assigned as
      -- last + 1 under a transaction-level advisory lock, so the chain never forks, across processes too.
      -- text, not jsonb, for details: jsonb reorders keys, and the hash covers the text as written.
      CREATE TABLE audit (
        seq       bigint PRIMARY KEY,
        ts        bigint NOT NULL,
        actor     text   NOT NULL,
        origin    text   NOT NULL,
        action    text   NOT NULL,
        target    text,
        result    text   NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
        reason    text,
        details   text   NOT NULL,
        prev_hash text   NOT NULL,
        hash      text   NOT NULL
      );
      -- Exports ask for a time range.
      CREATE INDEX audit_ts ON audit (ts);
      -- An UPDATE or DELETE fails loudly; someone who disables the trigger is caught by the chain.
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit table is append-only (% refused)', TG_OP; END
      $$;
      CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    `,
  },
  {
    version: 4,
    name: 'leader lease, fencing epoch and standby nodes',
    sql: `
      -- The leader lease of an active/standby pair (store/postgres/lease.ts, docs/high-availability.md). One
      -- row. Taking it over bumps epoch; times are the server's (now()), so the nodes' clocks never matter.
      CREATE TABLE lease (
        id         int         PRIMARY KEY CHECK (id = 1),
        epoch      bigint      NOT NULL,
        holder     text,
        holder_api text,
        renewed_at timestamptz,
        expires_at timestamptz
      );
      INSERT INTO lease (id, epoch) VALUES (1, 0);

      -- The epoch each event was written under. A fenced writer's INSERT carries it and holds the lease row
      -- FOR SHARE while it checks it is current, so a takeover (UPDATE of that row) waits for it and every
      -- later INSERT by the old epoch inserts nothing. NULL: written without a lease (a single engine).
      ALTER TABLE events ADD COLUMN epoch bigint;

      -- Every node of the pair, as it last reported itself: the active reads the standby's lag from here.
      CREATE TABLE ha_nodes (
        node         text        PRIMARY KEY,
        role         text        NOT NULL CHECK (role IN ('active', 'standby', 'stepped-down')),
        epoch        bigint,
        seen_seq     bigint      NOT NULL,
        api          text,
        heartbeat_at timestamptz NOT NULL
      );
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Advisory lock keys, (class, schema hash) pairs so they show up readably in pg_locks. The class numbers are
 * arbitrary but fixed: changing them would let an old and a new engine both believe they own a schema.
 */
export const LOCK_CLASS_MIGRATE = 0x4b454c01; // "KEL" + 1
export const LOCK_CLASS_WRITER = 0x4b454c02;
/** Held for the length of one audit append (transaction-level), by every appender of the schema's audit table. */
export const LOCK_CLASS_AUDIT = 0x4b454c03;

/**
 * Bring `schema` to SCHEMA_VERSION in one transaction, under an advisory lock so that two engines starting at
 * once do not both create tables. Refuses (and leaves everything as it was) a schema written by newer code, or
 * a schema that holds tables but no journal. Returns the version found before migrating.
 */
export async function migrate(client: pg.Client, schema: string, server: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS_MIGRATE, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    const found = await versionOf(client, schema);
    if (found === undefined) {
      const tables = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1`, [schema]);
      if (tables.rows[0].n > 0) {
        throw new KeelError('JOURNAL_SCHEMA', `schema "${schema}" holds tables but no Keel journal; refusing to write into it`, {
          field: 'journal', value: `${server} schema ${schema}`, hint: 'give the journal a schema of its own',
        });
      }
      await client.query(`CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    }
    const current = found ?? 0;
    checkNotNewer(current, schema, server);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
    return current;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** The oldest schema a reader can read without migrating (see `watermarkOf` in event-rows.ts). */
const OLDEST_READABLE_VERSION = 1;

/**
 * For read-only opens: the schema must be at a version this code reads (a reader never migrates, so that a
 * `keel state` run against a live engine cannot change what the engine writes to).
 */
export async function checkVersion(client: pg.Client, schema: string, server: string, needsCurrent?: string): Promise<void> {
  const found = await versionOf(client, schema);
  const where = `${server} schema ${schema}`;
  if (found === undefined) {
    throw new KeelError('JOURNAL_SCHEMA', `there is no journal in schema "${schema}"`, { field: 'journal', value: where, hint: 'check the schema name; an engine creates it on its first start' });
  }
  checkNotNewer(found, schema, server);
  // The audit trail (version 3) and backups, which carry it, need the current schema.
  if (needsCurrent !== undefined && found < SCHEMA_VERSION) {
    throw new KeelError('JOURNAL_SCHEMA', `journal schema version ${found} is older than this Keel's ${SCHEMA_VERSION}: ${needsCurrent} needs the current schema`, {
      field: 'journal', value: where, hint: 'start the engine on it once, which migrates it, or use the Keel that wrote it',
    });
  }
  // Version 1 has no read-model watermark but committed the read models with their events: readable as is.
  if (found < OLDEST_READABLE_VERSION) {
    throw new KeelError('JOURNAL_SCHEMA', `journal schema version ${found} is older than this Keel's ${SCHEMA_VERSION}`, {
      field: 'journal', value: where, hint: 'open it once for writing (start the engine) to migrate it',
    });
  }
}

async function versionOf(client: pg.Client, schema: string): Promise<number | undefined> {
  const exists = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migrations'`, [schema]);
  if (exists.rowCount === 0) return undefined;
  const r = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${schema}.schema_migrations`);
  return r.rows[0].v ?? 0;
}

function checkNotNewer(found: number, schema: string, server: string): void {
  if (found > SCHEMA_VERSION) {
    throw new KeelError('JOURNAL_SCHEMA', `journal schema version ${found} is newer than this Keel understands (${SCHEMA_VERSION}); nothing was changed`, {
      field: 'journal', value: `${server} schema ${schema}`, hint: 'run the Keel version that wrote this journal, or a newer one',
    });
  }
}
