import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { KeelError } from '../../model/index.ts';
import { decodePayload, encodeNewEvent, encodePayload } from '../event-codec.ts';
import type {
  BalanceRow, Durability, FillRow, Journal, JournalRecord, JournalStream, NewJournalEvent, OrderRow, PositionRow, ReadOptions, SnapshotRecord,
} from '../journal.ts';
import { applyWritePragmas, asJournalError, checkJournalFile, openDatabase } from './connection.ts';
import { checkReadableVersion, migrate, schemaVersionOf } from './migrations.ts';
import { projectionProblem } from '../projection.ts';
import { BackgroundCheckpointer } from './checkpointer.ts';
import { SqliteEventWriter, type EncodedAppend } from './event-writer.ts';
import { checkCount, eventsQuery, toRecord, type EventRow } from './event-rows.ts';
import { SqliteReadModelReader, watermarkOf } from './read-models.ts';
import { SqliteReadModelSync } from './read-model-sync.ts';
import { SqliteWriterLock } from './writer-lock.ts';
import type { AuditRow, AuditRowQuery } from '../audit-table.ts';
import { readAuditRows, readChainId } from './audit-table.ts';

export interface SqliteJournalOptions {
  /** The journal file, normally `journal.sqlite` in the run's directory (which must exist). */
  readonly path: string;
  /** Default `process` (WAL, synchronous=NORMAL); `machine` fsyncs every commit (synchronous=FULL). */
  readonly durability?: Durability;
  /**
   * Inspect a journal, possibly while an engine writes to it (`keel state`): never migrates, never writes;
   * append and saveSnapshot reject with JOURNAL_READ_ONLY.
   */
  readonly readOnly?: boolean;
}

/** An append call waiting for the next commit. */
interface PendingAppend extends EncodedAppend {
  readonly resolve: (seqs: readonly number[]) => void;
  readonly reject: (err: unknown) => void;
}

/** Counters for benchmarks and tests: how many transactions the appends took. */
export interface SqliteJournalStats {
  /** Event commits (the write-ahead ones). */
  readonly commits: number;
  readonly events: number;
  /** Transactions that folded events into the read models (after the events' commits). */
  readonly readModelCommits: number;
  /** The last event the stored read models include. */
  readonly readModelSeq: number;
  /** Time spent in event commits and in read-model commits, ms (how busy the journal keeps the event loop). */
  readonly commitMs: number;
  readonly readModelMs: number;
}


/**
 * Open (creating and migrating it if needed) the SQLite journal at `path`. Refuses with a one-line
 * KeelError, writing nothing: a file that is not a SQLite database or is damaged (JOURNAL_CORRUPT), a SQLite
 * database that is not a Keel journal or was written by a newer Keel (JOURNAL_SCHEMA), a missing directory
 * (JOURNAL_PATH).
 *
 * @example
 * const journal = await openSqliteJournal({ path: 'runs/paper/journal.sqlite' });
 * const [seq] = await journal.append([{ ts: Date.now(), stream: { account: 'main' }, type: 'engine.started', payload: {} }]);
 */
export async function openSqliteJournal(options: SqliteJournalOptions): Promise<SqliteJournal> {
  const { path } = options;
  const durability = options.durability ?? 'process';
  if (durability !== 'process' && durability !== 'machine') {
    throw new KeelError('BAD_JOURNAL_CONFIG', 'is not a durability mode', { field: 'durability', value: durability, hint: 'use process or machine' });
  }
  const readOnly = options.readOnly === true;
  checkJournalFile(path, readOnly);
  // Before the file is touched: a second engine must not even migrate it.
  const lock = readOnly ? undefined : SqliteWriterLock.acquire(path);
  let db: DatabaseSync;
  try {
    db = openDatabase(path, readOnly);
  } catch (err) {
    lock?.release();
    throw err;
  }
  try {
    if (readOnly) {
      checkReadableVersion(db, path);
    } else {
      // Checked before any pragma: switching to WAL rewrites the header of a rollback-mode file.
      schemaVersionOf(db, path);
      applyWritePragmas(db, durability);
      migrate(db, path);
    }
    return new SqliteJournal(db, path, durability, readOnly, lock);
  } catch (err) {
    db.close();
    lock?.release();
    throw asJournalError(err, path, 'JOURNAL_OPEN');
  }
}

/**
 * The embedded journal (DESIGN.md principle 6): one SQLite file in WAL mode, written by one engine.
 *
 * Group commit: `append` encodes its events and queues them; one transaction per turn of the event loop
 * commits everything queued, in call order (a `setImmediate` after the appends, so that the reports of all
 * the I/O callbacks of one loop turn share one commit, and with `machine` durability one fsync). The commit
 * holds the events only, so an order intent's write-ahead is one small row; the read models follow in
 * transactions of their own, a turn later (read-model-sync.ts). Every query answers as of the last committed
 * event all the same: this journal folds what is behind before it answers, a read-only one lays the events
 * after the read models' watermark over them (read-models.ts). Opening for writing folds what a crash left
 * behind. WAL checkpoints run on a worker thread (checkpointer.ts), never inside an append's commit.
 */
export class SqliteJournal implements Journal {
  readonly kind = 'sqlite' as const;
  readonly durability: Durability;
  readonly location: string;
  readonly readOnly: boolean;
  private readonly db: DatabaseSync;
  private readonly writer: SqliteEventWriter | undefined;
  private readonly readModels: SqliteReadModelSync | undefined;
  private readonly maxSeq: StatementSync;
  private readonly checkpointer: BackgroundCheckpointer | undefined;
  private readonly queries: SqliteReadModelReader;
  private readonly readStatements = new Map<string, StatementSync>();
  private queue: PendingAppend[] = [];
  private timer: NodeJS.Immediate | undefined;
  private last: number;
  private closed = false;
  private commits = 0;
  private committedEvents = 0;
  private commitMs = 0;

  private readonly lock: SqliteWriterLock | undefined;

  constructor(db: DatabaseSync, path: string, durability: Durability, readOnly: boolean, lock?: SqliteWriterLock) {
    this.db = db;
    this.lock = lock;
    this.location = path;
    this.durability = durability;
    this.readOnly = readOnly;
    this.maxSeq = db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events');
    this.last = this.readMaxSeq();
    this.queries = new SqliteReadModelReader(db, readOnly ? (fromSeq) => this.records(fromSeq) : undefined);
    if (!readOnly) {
      this.writer = new SqliteEventWriter(db);
      this.readModels = new SqliteReadModelSync(db, durability, this.last, {
        readEvents: (fromSeq, limit) => this.records(fromSeq, limit), eventCommitQueued: () => this.timer !== undefined,
        committed: (events) => this.checkpointer?.wrote(events),
      });
      // A crash between an event commit and its read models' commit left them behind: fold those events now.
      this.readModels.catchUp();
      this.checkpointer = new BackgroundCheckpointer(db, path, durability);
    }
  }

  /**
   * Payloads are encoded now and projected into the read models at commit: do not mutate an event after
   * handing it over (the engine's events are immutable). A bad event rejects this call only.
   */
  append(events: readonly NewJournalEvent[]): Promise<readonly number[]> {
    let payloads: string[];
    try {
      payloads = this.encode(events);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ events, payloads, resolve, reject });
      this.timer ??= setImmediate(() => this.commit());
    });
  }

  /**
   * Commit `events` now, in this call, after everything queued (which commits in the same transaction), and
   * return their sequence numbers once durable; throws what the append would have rejected with. For an
   * order intent: its request may leave as soon as this returns, without waiting for the end of the loop
   * turn and a promise callback.
   */
  appendNow(events: readonly NewJournalEvent[]): readonly number[] {
    const payloads = this.encode(events);
    let seqs: readonly number[] | undefined;
    let failure: unknown;
    this.queue.push({ events, payloads, resolve: (s) => { seqs = s; }, reject: (err) => { failure = err; } });
    if (this.timer !== undefined) clearImmediate(this.timer);
    this.timer = undefined;
    this.commit();
    if (seqs === undefined) throw failure;
    return seqs;
  }

  /** Encode the payloads now (a bad event fails its own call), refusing events the read models could not read. */
  private encode(events: readonly NewJournalEvent[]): string[] {
    const refused = this.refuseWrite();
    if (refused) throw refused;
    const payloads = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) {
      payloads[i] = encodeNewEvent(events[i], i);
      const problem = projectionProblem(events[i].type, events[i].payload);
      if (problem !== undefined) throw new KeelError('BAD_JOURNAL_EVENT', problem, { field: `events[${i}]`, value: events[i].type });
    }
    return payloads;
  }

  async read(options: ReadOptions = {}): Promise<JournalRecord[]> {
    this.checkOpen();
    const fromSeq = checkCount(options.fromSeq, 'fromSeq') ?? 1;
    const limit = checkCount(options.limit, 'limit');
    if (options.types?.length === 0 || limit === 0) return [];
    const where = ['e.seq >= ?'];
    const args: Array<string | number> = [fromSeq];
    for (const key of ['account', 'strategy', 'instrument'] as const) {
      const v = options.stream?.[key];
      if (v === undefined) continue;
      where.push(`e.${key} = ?`);
      args.push(v);
    }
    if (options.types) {
      where.push(`e.type IN (${options.types.map(() => '?').join(', ')})`);
      args.push(...options.types);
    }
    if (limit !== undefined) args.push(limit);
    try {
      return (this.statement(eventsQuery(where, limit !== undefined)).all(...args) as unknown as EventRow[]).map(toRecord);
    } catch (err) {
      throw asJournalError(err, this.location, 'JOURNAL_READ');
    }
  }

  /** Every event from `fromSeq` on (at most `limit`), for the read models' catch-up and tail. */
  private records(fromSeq: number, limit?: number): JournalRecord[] {
    const args = limit === undefined ? [fromSeq] : [fromSeq, limit];
    return (this.statement(eventsQuery(['e.seq >= ?'], limit !== undefined)).all(...args) as unknown as EventRow[]).map(toRecord);
  }

  async lastSeq(): Promise<number> {
    this.checkOpen();
    if (this.readOnly) return this.readMaxSeq(); // an engine may be appending meanwhile
    this.commitNow();
    return this.last;
  }

  async saveSnapshot(snapshot: SnapshotRecord): Promise<void> {
    const refused = this.refuseWrite();
    if (refused) throw refused;
    if (!Number.isSafeInteger(snapshot.seq) || snapshot.seq < 0) {
      throw new KeelError('BAD_SNAPSHOT', 'must be a journal sequence number', { field: 'snapshot.seq', value: snapshot.seq });
    }
    if (!Number.isSafeInteger(snapshot.ts)) throw new KeelError('BAD_SNAPSHOT', 'must be epoch milliseconds (an integer)', { field: 'snapshot.ts', value: snapshot.ts });
    if (snapshot.state === undefined) throw new KeelError('BAD_SNAPSHOT', 'must be a JSON-serialisable state', { field: 'snapshot.state', value: 'undefined' });
    let state: string;
    try {
      state = encodePayload(snapshot.state);
    } catch (err) {
      throw new KeelError('BAD_SNAPSHOT', `cannot be journaled: ${err instanceof Error ? err.message : String(err)}`, { field: 'snapshot.state' });
    }
    // A snapshot covers every event appended before it was taken: those commit first.
    this.commitNow();
    if (snapshot.seq > this.last) {
      throw new KeelError('BAD_SNAPSHOT', `is beyond the last journaled event (${this.last})`, { field: 'snapshot.seq', value: snapshot.seq });
    }
    try {
      this.statement(`INSERT INTO snapshots (seq, ts, state, saved_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (seq) DO UPDATE SET ts = excluded.ts, state = excluded.state, saved_at = excluded.saved_at`)
        .run(snapshot.seq, snapshot.ts, state, new Date().toISOString());
    } catch (err) {
      throw asJournalError(err, this.location, 'JOURNAL_WRITE');
    }
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    this.checkOpen();
    const row = this.statement('SELECT seq, ts, state FROM snapshots ORDER BY seq DESC LIMIT 1').get() as { seq: number; ts: number; state: string } | undefined;
    return row === undefined ? undefined : { seq: row.seq, ts: row.ts, state: decodePayload(row.state) };
  }

  async orders(filter?: { openOnly?: boolean; account?: string }): Promise<OrderRow[]> {
    this.settle();
    return this.queries.orders(filter);
  }

  async fills(filter?: { fromSeq?: number; account?: string }): Promise<FillRow[]> {
    this.settle();
    return this.queries.fills(filter);
  }

  async positions(filter?: { account?: string }): Promise<PositionRow[]> {
    this.settle();
    return this.queries.positions(filter);
  }

  async balances(filter?: { account?: string }): Promise<BalanceRow[]> {
    this.settle();
    return this.queries.balances(filter);
  }

  async settleReadModels(): Promise<number> {
    this.settle();
    return this.readModels?.watermark ?? watermarkOf(this.db);
  }

  async readAudit(query?: AuditRowQuery): Promise<AuditRow[]> {
    this.checkOpen();
    return readAuditRows(this.db, this.location, query);
  }

  async auditChainId(): Promise<string> {
    this.checkOpen();
    return readChainId(this.db, this.location);
  }

  /** Commits what is queued (those appends resolve) and the read models behind them, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.commitNow();
    try {
      this.readModels?.catchUp();
    } catch {
      // The events are durable; the next open folds them into the read models.
    }
    this.readModels?.stop();
    this.closed = true;
    await this.checkpointer?.stop();
    this.db.close();
    this.lock?.release();
  }

  /** The connection's journal mode and synchronous level, as SQLite reports them (for diagnostics). */
  settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA' } {
    this.checkOpen();
    const mode = (this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;
    const level = (this.db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
    return { journalMode: mode, synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[level] };
  }

  stats(): SqliteJournalStats {
    return {
      commits: this.commits, events: this.committedEvents,
      readModelCommits: this.readModels?.commits ?? 0, readModelSeq: this.readModels?.watermark ?? watermarkOf(this.db),
      commitMs: this.commitMs, readModelMs: this.readModels?.busyMs ?? 0,
    };
  }

  /** Before a query: commit what is queued, and (as the writer) fold every committed event into the read models. */
  private settle(): void {
    this.checkOpen();
    if (this.readModels === undefined) return;
    this.commitNow();
    try {
      this.readModels.catchUp();
    } catch (err) {
      throw asJournalError(err, this.location, 'JOURNAL_WRITE');
    }
  }

  /** Commit the queue now instead of at the end of the loop turn (before anything that must see it). */
  private commitNow(): void {
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.commit();
    }
  }

  private commit(): void {
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let last: number;
    const records: JournalRecord[] = [];
    const t0 = performance.now();
    try {
      last = this.writer!.write(batch, records);
      this.commitMs += performance.now() - t0;
    } catch (err) {
      const failure = asJournalError(err, this.location, 'JOURNAL_WRITE');
      for (const p of batch) p.reject(failure);
      this.readModels!.wake();
      return;
    }
    // Before the waiters run: their orders go out first, the read models fold a turn later.
    this.readModels!.committed(records, last);
    const n = countEvents(batch);
    this.checkpointer?.wrote(n);
    this.commits++;
    this.committedEvents += n;
    this.last = last;
    let next = last - n + 1;
    for (const p of batch) {
      const seqs = new Array<number>(p.events.length);
      for (let i = 0; i < seqs.length; i++) seqs[i] = next++;
      p.resolve(seqs);
    }
  }

  private readMaxSeq(): number {
    return (this.maxSeq.get() as { seq: number }).seq;
  }

  private statement(sql: string): StatementSync {
    let s = this.readStatements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.readStatements.set(sql, s);
    }
    return s;
  }

  private refuseWrite(): KeelError | undefined {
    if (this.closed) return new KeelError('JOURNAL_CLOSED', 'is closed', { field: 'journal', value: this.location });
    if (this.readOnly) return new KeelError('JOURNAL_READ_ONLY', 'was opened read-only', { field: 'journal', value: this.location, hint: 'open it without readOnly to append' });
    return undefined;
  }

  private checkOpen(): void {
    if (this.closed) throw new KeelError('JOURNAL_CLOSED', 'is closed', { field: 'journal', value: this.location });
  }
}


function countEvents(batch: readonly PendingAppend[]): number {
  let n = 0;
  for (const p of batch) n += p.events.length;
  return n;
}
