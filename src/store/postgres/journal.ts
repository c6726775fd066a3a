import type pg from 'pg';
import { KeelError } from '../../model/index.ts';
import { decodePayload, encodeNewEvent, encodePayload } from '../event-codec.ts';
import { projectionProblem } from '../projection.ts';
import type {
  BalanceRow, Durability, FillRow, Journal, JournalRecord, NewJournalEvent, OrderRow, PositionRow, ReadOptions, SnapshotRecord,
} from '../journal.ts';
import { checkSchemaName, resolvePostgresConfig, type PostgresConnectionOptions } from './config.ts';
import { PgSession } from './connection.ts';
import { checkVersion, migrate } from './migrations.ts';
import { appendStatement } from './append-statement.ts';
import { ReadModelPlanner, type StoredOrders, readBalances, readFills, readOrders, readPositions } from './read-models.ts';
import { acquireWriterLock } from './writer-lock.ts';

export interface PostgresJournalOptions {
  /** Server and credentials; missing fields come from the environment (see PostgresConnectionOptions). */
  readonly connection?: PostgresConnectionOptions;
  /** The schema that holds this journal, created if missing (default "keel"). One engine per schema. */
  readonly schema?: string;
  /** Default `process`: synchronous_commit off. `machine`: synchronous_commit on (WAL flushed before the append resolves). */
  readonly durability?: Durability;
  /**
   * Open without the writer lock, to inspect a journal an engine is writing (`keel state`). Never migrates;
   * append and saveSnapshot throw JOURNAL_READ_ONLY.
   */
  readonly readOnly?: boolean;
}

/**
 * Whole append calls are packed into one transaction up to about this many events (a bigger call still goes
 * in one): past a few thousand rows per statement, pg's array encoding and the server's unnest get slower.
 */
const MAX_BATCH_EVENTS = 2000;

interface PendingAppend {
  readonly rows: readonly EventRow[];
  readonly resolve: (seqs: readonly number[]) => void;
  readonly reject: (err: unknown) => void;
}

/** An event encoded at `append` time, so that one caller's unserialisable payload fails only that caller. */
interface EventRow {
  readonly event: NewJournalEvent;
  readonly payload: string;
}

/**
 * Open (and create or migrate) the PostgreSQL journal in `schema`. Fails fast with one-line KeelErrors:
 * JOURNAL_UNREACHABLE / JOURNAL_CONNECT (server), JOURNAL_SCHEMA (written by newer code, or not a journal),
 * JOURNAL_LOCKED (another engine is writing to this schema).
 *
 * @example
 * const journal = await openPostgresJournal({ connection: { url: 'postgres://127.0.0.1:5432/test' }, schema: 'keel_paper' });
 * const [seq] = await journal.append([{ ts: Date.now(), stream: { account: 'main' }, type: 'engine.started', payload: {} }]);
 */
export async function openPostgresJournal(options: PostgresJournalOptions = {}): Promise<PostgresJournal> {
  const schema = checkSchemaName(options.schema ?? 'keel');
  const durability = options.durability ?? 'process';
  if (durability !== 'process' && durability !== 'machine') {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'is not a durability mode', { field: 'durability', value: durability, hint: 'use process or machine' });
  }
  const config = resolvePostgresConfig(options.connection);
  const session = await PgSession.connect(config);
  const location = `${session.server} schema ${schema}`;
  try {
    const last = await session.exclusive(async (c) => {
      await c.query(`SET synchronous_commit = ${durability === 'machine' ? 'on' : 'off'}`);
      if (options.readOnly) {
        await checkVersion(c, schema, session.server);
      } else {
        await migrate(c, schema, session.server);
        await acquireWriterLock(c, schema, location);
      }
      return lastSeqOf(c, schema);
    });
    return new PostgresJournal(session, schema, durability, location, options.readOnly === true, last);
  } catch (err) {
    await session.close();
    throw err;
  }
}

/**
 * The PostgreSQL journal. Appends are queued and committed by one flush loop, one transaction per batch of
 * whole calls in call order (group commit); the events and the read models they change commit together.
 * After a failed commit the journal refuses everything: appending later events past a lost batch would
 * reorder history, so the engine must stop and recover instead.
 */
export class PostgresJournal implements Journal {
  readonly kind = 'postgres' as const;
  readonly durability: Durability;
  readonly location: string;
  private readonly session: PgSession;
  private readonly schema: string;
  private readonly readOnly: boolean;
  private readonly readModels: ReadModelPlanner;
  private readonly queue: PendingAppend[] = [];
  /** Last committed sequence; only this writer appends (writer lock), so memory is the truth. */
  private last: number;
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private closing = false;
  private commits = 0;
  private committedEvents = 0;

  constructor(session: PgSession, schema: string, durability: Durability, location: string, readOnly: boolean, last: number) {
    this.session = session;
    this.schema = schema;
    this.durability = durability;
    this.location = location;
    this.readOnly = readOnly;
    this.last = last;
    this.readModels = new ReadModelPlanner(schema);
  }

  append(events: readonly NewJournalEvent[]): Promise<readonly number[]> {
    const refused = this.refuseWrite();
    if (refused) return Promise.reject(refused);
    let rows: EventRow[];
    try {
      rows = events.map((event, i) => {
        const payload = encodeNewEvent(event, i);
        // Checked here, not when the batch is projected: a payload the read models cannot read fails its own call only.
        const problem = projectionProblem(event.type, event.payload);
        if (problem !== undefined) throw new KeelError('BAD_JOURNAL_EVENT', problem, { field: `events[${i}]`, value: event.type });
        return { event, payload };
      });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      // Cleared synchronously after the flush loop's last look at the queue, so no call is ever stranded.
      this.flushing ??= this.flush();
    });
  }

  async read(options: ReadOptions = {}): Promise<JournalRecord[]> {
    const where: string[] = ['seq >= $1'];
    const values: unknown[] = [options.fromSeq ?? 1];
    for (const key of ['account', 'strategy', 'instrument'] as const) {
      const v = options.stream?.[key];
      if (v !== undefined) where.push(`${key} = $${values.push(v)}`);
    }
    if (options.types) where.push(`type = ANY($${values.push(options.types)}::text[])`);
    const limit = options.limit !== undefined ? ` LIMIT $${values.push(options.limit)}` : '';
    const rows = await this.session.query<EventDbRow>(
      `SELECT seq, ts, account, strategy, instrument, type, payload, version FROM ${this.schema}.events WHERE ${where.join(' AND ')} ORDER BY seq${limit}`,
      values,
    );
    return rows.map(toRecord);
  }

  async lastSeq(): Promise<number> {
    if (!this.readOnly) {
      await this.idle();
      return this.last;
    }
    return this.session.exclusive((c) => lastSeqOf(c, this.schema));
  }

  async saveSnapshot(snapshot: SnapshotRecord): Promise<void> {
    const refused = this.refuseWrite();
    if (refused) throw refused;
    const state = encodePayload(snapshot.state);
    // A snapshot describes state that includes every event appended before it was taken: let those land first.
    await this.idle();
    if (!Number.isSafeInteger(snapshot.seq) || snapshot.seq < 0) {
      throw new KeelError('BAD_SNAPSHOT', 'must be a journal sequence number', { field: 'snapshot.seq', value: snapshot.seq });
    }
    if (snapshot.seq > this.last) {
      throw new KeelError('BAD_SNAPSHOT', `is beyond the last journaled event (${this.last})`, { field: 'snapshot.seq', value: snapshot.seq });
    }
    await this.session.query(
      `INSERT INTO ${this.schema}.snapshots (seq, ts, state) VALUES ($1, $2, $3)
       ON CONFLICT (seq) DO UPDATE SET ts = excluded.ts, state = excluded.state, saved_at = now()`,
      [snapshot.seq, snapshot.ts, state],
    );
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    const rows = await this.session.query<{ seq: number; ts: number; state: string }>(
      `SELECT seq, ts, state FROM ${this.schema}.snapshots ORDER BY seq DESC LIMIT 1`,
    );
    const r = rows[0];
    return r ? { seq: r.seq, ts: r.ts, state: decodePayload(r.state) } : undefined;
  }

  orders(filter: { openOnly?: boolean; account?: string } = {}): Promise<OrderRow[]> {
    return this.session.exclusive((c) => readOrders(c, this.schema, filter));
  }

  fills(filter: { fromSeq?: number; account?: string } = {}): Promise<FillRow[]> {
    return this.session.exclusive((c) => readFills(c, this.schema, filter));
  }

  positions(filter: { account?: string } = {}): Promise<PositionRow[]> {
    return this.session.exclusive((c) => readPositions(c, this.schema, filter));
  }

  balances(filter: { account?: string } = {}): Promise<BalanceRow[]> {
    return this.session.exclusive((c) => readBalances(c, this.schema, filter));
  }

  /** How many transactions the appends took and how many events they carried (benchmarks, tests of group commit). */
  stats(): { readonly commits: number; readonly events: number } {
    return { commits: this.commits, events: this.committedEvents };
  }

  /** A server setting of this journal's session (diagnostics, e.g. "synchronous_commit"). */
  async setting(name: string): Promise<string> {
    const rows = await this.session.query<{ v: string }>('SELECT current_setting($1) AS v', [name]);
    return rows[0].v;
  }

  /** Commits what is queued, then closes the connection (which releases the writer lock). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.idle().catch(() => {});
    await this.session.close();
  }

  /** Resolves once every append queued so far has committed or failed. */
  private async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private refuseWrite(): unknown {
    if (this.readOnly) {
      return new KeelError('JOURNAL_READ_ONLY', 'was opened read-only', { field: 'journal', value: this.location, hint: 'open it without readOnly to append' });
    }
    if (this.closing) return new KeelError('JOURNAL_CLOSED', 'is closed', { field: 'journal', value: this.location });
    return this.failure;
  }

  private async flush(): Promise<void> {
    // Yield once: calls made in the same tick join the first batch, and `flushing` is set before it is cleared.
    await undefined;
    while (this.queue.length > 0) {
      const batch = takeBatch(this.queue);
      if (this.failure) {
        for (const p of batch) p.reject(this.failure);
        continue;
      }
      try {
        const seqs = await this.session.exclusive((c) => this.commit(c, batch));
        batch.forEach((p, i) => p.resolve(seqs[i]));
      } catch (err) {
        this.failure = err;
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = undefined;
  }

  /** One transaction (one statement): the batch's events with seq = last + 1, … and the read-model changes they imply. */
  private async commit(c: pg.Client, batch: readonly PendingAppend[]): Promise<number[][]> {
    const records: JournalRecord[] = [];
    const payloads: string[] = [];
    const seqs: number[][] = [];
    let seq = this.last;
    for (const p of batch) {
      const mine: number[] = [];
      for (const row of p.rows) {
        records.push({ ...row.event, seq: ++seq });
        payloads.push(row.payload);
        mine.push(seq);
      }
      seqs.push(mine);
    }
    if (records.length === 0) return seqs;
    const stored: StoredOrders = new Map();
    for (;;) {
      const changes = await this.readModels.plan(c, records, stored);
      try {
        await c.query(appendStatement(this.schema, records, payloads, changes));
        break;
      } catch (err) {
        // An order intent repeated under a known client order id: nothing was written; plan again knowing it.
        if (!this.readModels.isOrderConflict(err) || changes.assumedNew.length === 0) throw err;
        await this.readModels.learn(c, changes.assumedNew, stored);
      }
    }
    this.last = seq;
    this.commits++;
    this.committedEvents += records.length;
    this.readModels.committedBatch(stored);
    return seqs;
  }
}

interface EventDbRow {
  seq: number; ts: number; account: string; strategy: string | null; instrument: string | null; type: string; payload: string; version: string | null;
}

function toRecord(r: EventDbRow): JournalRecord {
  const stream = { account: r.account, ...(r.strategy !== null && { strategy: r.strategy }), ...(r.instrument !== null && { instrument: r.instrument }) };
  const base = { seq: r.seq, ts: r.ts, stream, type: r.type, payload: decodePayload(r.payload) };
  return r.version !== null ? { ...base, version: r.version } : base;
}

async function lastSeqOf(c: pg.Client, schema: string): Promise<number> {
  const r = await c.query<{ seq: number }>(`SELECT coalesce(max(seq), 0)::bigint AS seq FROM ${schema}.events`);
  return r.rows[0].seq;
}

function takeBatch(queue: PendingAppend[]): PendingAppend[] {
  let n = 0;
  let events = 0;
  while (n < queue.length && (n === 0 || events + queue[n].rows.length <= MAX_BATCH_EVENTS)) events += queue[n++].rows.length;
  return queue.splice(0, n);
}
