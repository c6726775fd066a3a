import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { KeelError, fromJson, toJson } from '../../model/index.ts';
import type {
  BalanceRow, Durability, FillRow, Journal, JournalRecord, NewJournalEvent, OrderRow, PositionRow, ReadOptions, SnapshotRecord,
} from '../journal.ts';
import { project, type ProjectionOp } from '../projection.ts';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './migrations.ts';

const HEADER = 'SQLite format 3\0';

interface Pending {
  readonly events: readonly NewJournalEvent[];
  readonly resolve: (seqs: number[]) => void;
  readonly reject: (err: Error) => void;
}

/** A file that exists but is not a SQLite database is refused before SQLite touches it. */
function assertSqliteFile(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(HEADER.length);
  try {
    readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  if (buf.toString('latin1') !== HEADER) {
    throw new KeelError('JOURNAL_CORRUPT', 'is not a SQLite journal (wrong file header); it was left untouched', {
      field: 'journal', value: path, hint: 'restore it from a backup (keel restore) or point --journal at another file',
    });
  }
}

function corrupt(path: string, err: unknown): KeelError {
  const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new KeelError('JOURNAL_CORRUPT', `cannot be read as a journal (${msg}); it was left untouched`, {
    field: 'journal', value: path, hint: 'restore it from a backup (keel restore)',
  });
}

/**
 * Open (creating if needed) the SQLite journal at `path`: WAL mode, migrations applied, newer schemas and
 * foreign files refused without writing a byte.
 *
 * @example const journal = await openSqliteJournal({ path: 'run/journal.sqlite' });
 */
export async function openSqliteJournal(o: { path: string; durability?: Durability }): Promise<Journal> {
  assertSqliteFile(o.path);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(o.path);
    db.exec('PRAGMA busy_timeout = 5000');
    const version = readSchemaVersion(db);
    if (version > SQLITE_SCHEMA_VERSION) {
      db.close();
      throw new KeelError('JOURNAL_SCHEMA', `has schema version ${version}, newer than this Keel understands (${SQLITE_SCHEMA_VERSION}); it was left untouched`, {
        field: 'journal', value: o.path, hint: 'upgrade Keel to read it',
      });
    }
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${o.durability === 'machine' ? 'FULL' : 'NORMAL'}`);
    migrate(db, version);
  } catch (err) {
    if (err instanceof KeelError) throw err;
    throw corrupt(o.path, err);
  }
  return new SqliteJournal(db, o.path, o.durability ?? 'process');
}

function readSchemaVersion(db: DatabaseSync): number {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) {
    const other = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (other.n > 0) throw new KeelError('JOURNAL_CORRUPT', 'is a SQLite database but not a Keel journal; it was left untouched', { field: 'journal', value: '' });
    return 0;
  }
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(db: DatabaseSync, from: number): void {
  const steps = SQLITE_MIGRATIONS.filter((m) => m.version > from);
  if (steps.length === 0) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of steps) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

class SqliteJournal implements Journal {
  readonly kind = 'sqlite' as const;
  readonly durability: Durability;
  readonly location: string;
  private readonly db: DatabaseSync;
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private seq: number;
  private readonly insertEvent: StatementSync;
  private readonly statusOf: StatementSync;
  private readonly apply: Record<ProjectionOp['kind'], StatementSync>;

  constructor(db: DatabaseSync, path: string, durability: Durability) {
    this.db = db;
    this.location = path;
    this.durability = durability;
    this.seq = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
    this.insertEvent = db.prepare('INSERT INTO events (seq, ts, account, strategy, instrument, type, payload, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.statusOf = db.prepare('SELECT status FROM orders WHERE client_order_id = ?');
    this.apply = {
      'order.insert': db.prepare(`INSERT OR REPLACE INTO orders (client_order_id, account, strategy, instrument, side, type, quantity, filled_quantity, status, venue_order_id, reason, updated_seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      'order.update': db.prepare(`UPDATE orders SET status = ?, filled_quantity = filled_quantity + ?, quantity = coalesce(?, quantity),
        venue_order_id = coalesce(?, venue_order_id), reason = coalesce(?, reason), updated_seq = ? WHERE client_order_id = ?`),
      'fill.insert': db.prepare(`INSERT OR IGNORE INTO fills (seq, trade_id, client_order_id, account, strategy, instrument, side, quantity, price, fee, ts)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      'position.add': db.prepare(`INSERT INTO positions (account, instrument, lots, updated_seq) VALUES (?, ?, ?, ?)
        ON CONFLICT (account, instrument) DO UPDATE SET lots = lots + excluded.lots, updated_seq = excluded.updated_seq`),
      'balance.upsert': db.prepare(`INSERT OR REPLACE INTO balances (account, currency, cash, equity, realized_pnl, updated_seq) VALUES (?, ?, ?, ?, ?, ?)`),
    };
  }

  append(events: readonly NewJournalEvent[]): Promise<readonly number[]> {
    if (this.closed) return Promise.reject(new KeelError('JOURNAL_CLOSED', 'is closed', { field: 'journal', value: this.location }));
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Everything appended in this turn of the event loop goes into one transaction (group commit).
        setImmediate(() => this.commit());
      }
    });
  }

  private commit(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const first = this.seq;
    const results: number[][] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const p of batch) {
        const seqs: number[] = [];
        for (const e of p.events) {
          const seq = ++this.seq;
          const s = e.stream;
          this.insertEvent.run(seq, e.ts, s.account, s.strategy ?? null, s.instrument ?? null, e.type, toJson(e.payload), e.version ?? null);
          this.project({ ...e, seq });
          seqs.push(seq);
        }
        results.push(seqs);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      this.seq = first;
      try { this.db.exec('ROLLBACK'); } catch { /* already rolled back */ }
      const e = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  private project(record: JournalRecord): void {
    const ops = project(record, (id) => (this.statusOf.get(id) as { status: string } | undefined)?.status);
    for (const op of ops) {
      switch (op.kind) {
        case 'order.insert': {
          const r = op.row;
          this.apply[op.kind].run(r.clientOrderId, r.account, r.strategy, r.instrument, r.side, r.type, r.quantity, r.filledQuantity, r.status, r.venueOrderId, r.reason, r.updatedSeq);
          break;
        }
        case 'order.update':
          this.apply[op.kind].run(op.status, op.filledDelta, op.quantity ?? null, op.venueOrderId ?? null, op.reason ?? null, op.seq, op.clientOrderId);
          break;
        case 'fill.insert': {
          const f = op.row;
          this.apply[op.kind].run(f.seq, f.tradeId, f.clientOrderId, f.account, f.strategy, f.instrument, f.side, f.quantity, f.price, f.fee, f.ts);
          break;
        }
        case 'position.add':
          this.apply[op.kind].run(op.account, op.instrument, op.lotsDelta, op.seq);
          break;
        case 'balance.upsert': {
          const b = op.row;
          this.apply[op.kind].run(b.account, b.currency, b.cash, b.equity, b.realizedPnl, b.updatedSeq);
          break;
        }
      }
    }
  }

  async read(o: ReadOptions = {}): Promise<JournalRecord[]> {
    const where = ['seq >= ?'];
    const args: Array<string | number> = [o.fromSeq ?? 1];
    for (const k of ['account', 'strategy', 'instrument'] as const) {
      const v = o.stream?.[k];
      if (v !== undefined) { where.push(`${k} = ?`); args.push(v); }
    }
    if (o.types && o.types.length) { where.push(`type IN (${o.types.map(() => '?').join(',')})`); args.push(...o.types); }
    const limit = o.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(o.limit))}` : '';
    const rows = this.db.prepare(`SELECT seq, ts, account, strategy, instrument, type, payload, version FROM events WHERE ${where.join(' AND ')} ORDER BY seq${limit}`).all(...args) as Array<Record<string, string | number | null>>;
    return rows.map(toRecord);
  }

  async lastSeq(): Promise<number> {
    return this.seq;
  }

  async saveSnapshot(s: SnapshotRecord): Promise<void> {
    if (s.seq > this.seq) throw new KeelError('BAD_SNAPSHOT', `is beyond the last journaled event (${this.seq})`, { field: 'snapshot.seq', value: s.seq });
    this.db.prepare('INSERT OR REPLACE INTO snapshots (seq, ts, state) VALUES (?, ?, ?)').run(s.seq, s.ts, toJson(s.state));
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    const row = this.db.prepare('SELECT seq, ts, state FROM snapshots ORDER BY seq DESC LIMIT 1').get() as { seq: number; ts: number; state: string } | undefined;
    return row ? { seq: row.seq, ts: row.ts, state: fromJson(row.state) } : undefined;
  }

  async orders(f: { openOnly?: boolean; account?: string } = {}): Promise<OrderRow[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (f.account) { where.push('account = ?'); args.push(f.account); }
    if (f.openOnly) where.push("status NOT IN ('DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED')");
    const sql = `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_seq, client_order_id`;
    return (this.db.prepare(sql).all(...args) as Array<Record<string, never>>).map((r) => ({
      clientOrderId: r.client_order_id, account: r.account, strategy: r.strategy, instrument: r.instrument, side: r.side, type: r.type,
      quantity: r.quantity, filledQuantity: r.filled_quantity, status: r.status, venueOrderId: r.venue_order_id, reason: r.reason, updatedSeq: r.updated_seq,
    }));
  }

  async fills(f: { fromSeq?: number; account?: string } = {}): Promise<FillRow[]> {
    const rows = this.db.prepare('SELECT * FROM fills WHERE seq >= ? AND (? IS NULL OR account = ?) ORDER BY seq').all(f.fromSeq ?? 0, f.account ?? null, f.account ?? null) as Array<Record<string, never>>;
    return rows.map((r) => ({
      seq: r.seq, tradeId: r.trade_id, clientOrderId: r.client_order_id, account: r.account, strategy: r.strategy, instrument: r.instrument,
      side: r.side, quantity: r.quantity, price: r.price, fee: r.fee, ts: r.ts,
    }));
  }

  async positions(f: { account?: string } = {}): Promise<PositionRow[]> {
    const rows = this.db.prepare('SELECT * FROM positions WHERE (? IS NULL OR account = ?) ORDER BY account, instrument').all(f.account ?? null, f.account ?? null) as Array<Record<string, never>>;
    return rows.map((r) => ({ account: r.account, instrument: r.instrument, lots: r.lots, updatedSeq: r.updated_seq }));
  }

  async balances(f: { account?: string } = {}): Promise<BalanceRow[]> {
    const rows = this.db.prepare('SELECT * FROM balances WHERE (? IS NULL OR account = ?) ORDER BY account').all(f.account ?? null, f.account ?? null) as Array<Record<string, never>>;
    return rows.map((r) => ({ account: r.account, currency: r.currency, cash: r.cash, equity: r.equity, realizedPnl: r.realized_pnl, updatedSeq: r.updated_seq }));
  }

  /** Flush what is queued, then close. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length) this.commit();
    this.closed = true;
    this.db.close();
  }

  /** The underlying database, for the online backup. */
  get database(): DatabaseSync {
    return this.db;
  }
}

function toRecord(r: Record<string, string | number | null>): JournalRecord {
  const stream = { account: r.account as string, ...(r.strategy !== null ? { strategy: r.strategy as string } : {}), ...(r.instrument !== null ? { instrument: r.instrument as string } : {}) };
  const base = { seq: r.seq as number, ts: r.ts as number, stream, type: r.type as string, payload: fromJson(r.payload as string) };
  return r.version !== null ? { ...base, version: r.version as string } : base;
}
