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
import { eventsStatement, fenceSelect } from './append-statement.ts';
import { EVENT_COLUMNS, toRecord, watermarkOf, type EventDbRow } from './event-rows.ts';
import { readBalances, readConsistent, readFills, readOrders, readPositions } from './read-models.ts';
import { PostgresReadModelSync } from './read-model-sync.ts';
import { acquireWriterLock, probeWriterLock, refuseIfLeaseHeld } from './writer-lock.ts';
import { fencedError } from './fencing.ts';
import type { AuditRow, AuditRowQuery } from '../audit-table.ts';
import { readAuditRows, readChainId } from './audit-table.ts';

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
  /**
   * Write as the active of an active/standby pair under this fencing epoch (lease.ts): every statement checks
   * the epoch is still the lease's, and one that is not writes nothing (`FENCED`). Replaces the advisory writer
   * lock (a paused old active would hold that forever); an engine without a lease is still refused.
   */
  readonly fencing?: { readonly epoch: number };
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
        if (options.fencing) await probeWriterLock(c, schema, location);
        else {
          await acquireWriterLock(c, schema, location);
          await refuseIfLeaseHeld(c, schema, location);
        }
      }
      return lastSeqOf(c, schema);
    });
    // The writer's read models fold on a connection of their own; first whatever a crash left behind.
    const epoch = options.fencing?.epoch;
    const readModels = options.readOnly ? undefined : await PostgresReadModelSync.open(config, schema, last, epoch, location);
    return new PostgresJournal(session, schema, durability, location, last, readModels, epoch);
  } catch (err) {
    await session.close();
    throw err;
  }
}

/**
 * The PostgreSQL journal. Appends are queued and committed by one flush loop, one transaction per batch of
 * whole calls in call order (group commit). The commit holds the events only, so an order intent's
 * write-ahead is one small INSERT; the read models follow on a connection of their own (read-model-sync.ts).
 * Every query answers as of the last committed event all the same: the writer waits for its read models to
 * catch up first, a read-only journal lays the events after their watermark over them (readConsistent).
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
  /** The writer's read-model folding (undefined: read-only). */
  private readonly readModels: PostgresReadModelSync | undefined;
  private readonly queue: PendingAppend[] = [];
  /** Last committed sequence; only this writer appends (writer lock), so memory is the truth. */
  private last: number;
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private closing = false;
  private commits = 0;
  private committedEvents = 0;
  private commitMs = 0;
  /** The fencing epoch this writer writes under (undefined: no lease, the advisory writer lock instead). */
  readonly epoch: number | undefined;

  constructor(session: PgSession, schema: string, durability: Durability, location: string, last: number, readModels?: PostgresReadModelSync, epoch?: number) {
    this.epoch = epoch;
    this.session = session;
    this.schema = schema;
    this.durability = durability;
    this.location = location;
    this.readOnly = readModels === undefined;
    this.last = last;
    this.readModels = readModels;
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
      `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.events WHERE ${where.join(' AND ')} ORDER BY seq${limit}`,
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
    if (this.epoch === undefined) {
      await this.session.query(
        `INSERT INTO ${this.schema}.snapshots (seq, ts, state) VALUES ($1, $2, $3)
         ON CONFLICT (seq) DO UPDATE SET ts = excluded.ts, state = excluded.state, saved_at = now()`,
        [snapshot.seq, snapshot.ts, state],
      );
      return;
    }
    const saved = await this.session.query(
      `INSERT INTO ${this.schema}.snapshots (seq, ts, state)
       SELECT $1::bigint, $2::bigint, $3::text WHERE EXISTS (${fenceSelect(this.schema, '$4')})
       ON CONFLICT (seq) DO UPDATE SET ts = excluded.ts, state = excluded.state, saved_at = now() RETURNING seq`,
      [snapshot.seq, snapshot.ts, state, this.epoch],
    );
    if (saved.length === 0) throw fencedError(this.epoch, this.location, 'a snapshot');
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    const rows = await this.session.query<{ seq: number; ts: number; state: string }>(
      `SELECT seq, ts, state FROM ${this.schema}.snapshots ORDER BY seq DESC LIMIT 1`,
    );
    const r = rows[0];
    return r ? { seq: r.seq, ts: r.ts, state: decodePayload(r.state) } : undefined;
  }

  orders(filter: { openOnly?: boolean; account?: string } = {}): Promise<OrderRow[]> {
    return this.readModel((c) => readOrders(c, this.schema, filter), (t, rows) => t.orders(rows, filter));
  }

  fills(filter: { fromSeq?: number; account?: string } = {}): Promise<FillRow[]> {
    return this.readModel((c) => readFills(c, this.schema, filter), (t, rows) => t.fills(rows, filter));
  }

  positions(filter: { account?: string } = {}): Promise<PositionRow[]> {
    return this.readModel((c) => readPositions(c, this.schema, filter), (t, rows) => t.positions(rows, filter));
  }

  balances(filter: { account?: string } = {}): Promise<BalanceRow[]> {
    return this.readModel((c) => readBalances(c, this.schema, filter), (t, rows) => t.balances(rows, filter));
  }

  async settleReadModels(): Promise<number> {
    if (this.readModels === undefined) return this.session.exclusive((c) => watermarkOf(c, this.schema));
    await this.idle();
    return this.readModels.settle();
  }

  readAudit(query?: AuditRowQuery): Promise<AuditRow[]> {
    return this.session.exclusive((c) => readAuditRows(c, this.schema, query));
  }

  auditChainId(): Promise<string> {
    return this.session.exclusive((c) => readChainId(c, this.schema, this.location));
  }

  /**
   * How many transactions the appends took and how many events they carried (benchmarks, tests of group
   * commit), how many statements folded them into the read models, up to which event, and the time spent
   * waiting for each kind of statement, ms (round trips included).
   */
  stats(): { readonly commits: number; readonly events: number; readonly readModelCommits: number; readonly readModelSeq: number; readonly commitMs: number; readonly readModelMs: number } {
    return {
      commits: this.commits, events: this.committedEvents, readModelCommits: this.readModels?.commits ?? 0, readModelSeq: this.readModels?.watermark ?? 0,
      commitMs: this.commitMs, readModelMs: this.readModels?.busyMs ?? 0,
    };
  }

  /** A server setting of this journal's session (diagnostics, e.g. "synchronous_commit"). */
  async setting(name: string): Promise<string> {
    const rows = await this.session.query<{ v: string }>('SELECT current_setting($1) AS v', [name]);
    return rows[0].v;
  }

  /** Commits what is queued and folds it into the read models, then closes the connections (which releases the writer lock). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.idle().catch(() => {});
    // Before the lock goes: the next writer must not fold the same events while this one still does.
    await this.readModels?.close();
    await this.session.close();
  }

  /** A read-model query: the writer's once its read models include every appended event; a reader's with the tail laid over. */
  private async readModel<T>(stored: (c: pg.Client) => Promise<T>, overlay: Parameters<typeof readConsistent<T>>[3]): Promise<T> {
    if (this.readModels === undefined) return this.session.exclusive((c) => readConsistent(c, this.schema, stored, overlay));
    await this.idle();
    await this.readModels.settle();
    return this.session.exclusive(stored);
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

  /** One transaction (one statement): the batch's events with seq = last + 1, …; then hand them to the read models. */
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
    const t0 = performance.now();
    const inserted = await c.query(eventsStatement(this.schema, records, payloads, this.epoch));
    this.commitMs += performance.now() - t0;
    if (this.epoch !== undefined && inserted.rowCount !== records.length) throw fencedError(this.epoch, this.location, `${records.length} event(s)`);
    this.last = seq;
    this.commits++;
    this.committedEvents += records.length;
    this.readModels!.committed(records, seq);
    return seqs;
  }
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
