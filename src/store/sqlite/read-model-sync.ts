import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Durability, JournalRecord } from '../journal.ts';
import { SqliteReadModelWriter, watermarkOf } from './read-models.ts';

/** Events folded into the read models per transaction (a catch-up after a long outage goes in several). */
const EVENTS_PER_COMMIT = 2000;
/**
 * While event commits keep coming (one is queued for this turn of the event loop), the read models wait
 * until this many events are behind, then fold them in one transaction: one commit per few hundred events
 * instead of one per event commit, and each pause on the event loop stays short.
 */
const COALESCE_EVENTS = 256;

/** What the read models need from their journal. */
export interface ReadModelSyncIo {
  /** The journal's read path, for events no longer (or never) held in memory. */
  readEvents(fromSeq: number, limit: number): JournalRecord[];
  /** Whether an event commit is queued for this turn (the fold then waits for it). */
  eventCommitQueued(): boolean;
  /** A read-model commit folding `events` events went into the WAL. */
  committed(events: number): void;
}

/**
 * Keeps the SQLite read models (orders, fills, positions, balances) up to date with the events, in
 * transactions of their own that commit after the events' (DESIGN.md principle 4 needs only the event
 * durable before an order goes out; the read models are a fold of the events and can always be rebuilt).
 *
 * - `read_model_state.seq` (the watermark) commits in the same transaction as the rows it describes, so the
 *   stored read models are always exactly the fold of the events up to it, never ahead of the events (the
 *   WAL keeps commits in order; a crash loses only a suffix).
 * - After an event commit the fold runs on a later turn of the event loop (`setImmediate`), once the
 *   write-ahead waiters have sent their orders; `catchUp()` does it at once, for the journal's own queries,
 *   at close and at open (after a crash between the two commits).
 * - With `machine` durability the read models' commits skip the fsync (synchronous=NORMAL for their
 *   transaction): losing one to a power cut loses nothing, the next open folds those events again, and the
 *   next event commit's fsync flushes the WAL before it anyway.
 */
export class SqliteReadModelSync {
  private readonly db: DatabaseSync;
  private readonly writer: SqliteReadModelWriter;
  private readonly setWatermark: StatementSync;
  private readonly durability: Durability;
  private readonly io: ReadModelSyncIo;
  /** Committed events not in the read models yet, in seq order (normally starting right after the watermark). */
  private pending: JournalRecord[] = [];
  /** The watermark: the last event the stored read models include. */
  private seq: number;
  /** The last committed event. */
  private last: number;
  private timer: NodeJS.Immediate | undefined;
  /** Transactions that folded events into the read models, and the time they took, ms (benchmarks, tests). */
  commits = 0;
  busyMs = 0;

  constructor(db: DatabaseSync, durability: Durability, lastSeq: number, io: ReadModelSyncIo) {
    this.db = db;
    this.durability = durability;
    this.io = io;
    this.writer = new SqliteReadModelWriter(db);
    this.setWatermark = db.prepare('UPDATE read_model_state SET seq = ? WHERE id = 1');
    this.seq = watermarkOf(db);
    this.last = lastSeq;
  }

  /** The last event the stored read models include. */
  get watermark(): number {
    return this.seq;
  }

  /** `records` (seq order, following every earlier call) were committed, up to `last`. */
  committed(records: readonly JournalRecord[], last: number): void {
    for (let i = 0; i < records.length; i++) this.pending.push(records[i]);
    this.last = last;
    this.wake();
  }

  /** Fold on a later turn whatever is behind (also called after a failed event commit, which will not call `committed`). */
  wake(): void {
    if (this.seq < this.last) this.timer ??= setImmediate(() => this.background());
  }

  /** Bring the stored read models up to the last committed event now; throws what SQLite threw. */
  catchUp(): void {
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    while (this.seq < this.last) this.step();
  }

  /** Stop the background fold (the journal is closing). */
  stop(): void {
    if (this.timer !== undefined) clearImmediate(this.timer);
    this.timer = undefined;
  }

  private background(): void {
    this.timer = undefined;
    if (this.seq >= this.last) return;
    // The commit queued for this turn calls `committed`, which wakes us again.
    if (this.io.eventCommitQueued() && this.last - this.seq < COALESCE_EVENTS) return;
    try {
      this.step();
    } catch {
      // The events are durable; the journal's next query, close or open folds them again (and reports the error).
      return;
    }
    this.wake();
  }

  /** One transaction: the next events after the watermark, folded, and the watermark moved past them. */
  private step(): void {
    const records = this.next();
    if (records.length === 0) throw new Error(`read models: events ${this.seq + 1}..${this.last} are missing from the journal`);
    const { db } = this;
    const t0 = performance.now();
    const relaxed = this.durability === 'machine';
    if (relaxed) db.exec('PRAGMA synchronous = NORMAL');
    try {
      db.exec('BEGIN IMMEDIATE');
      for (let i = 0; i < records.length; i++) this.writer.add(records[i]);
      this.writer.write();
      const to = records[records.length - 1].seq;
      this.setWatermark.run(to);
      db.exec('COMMIT');
      this.seq = to;
      this.commits++;
      this.busyMs += performance.now() - t0;
      this.io.committed(records.length);
    } catch (err) {
      this.writer.discard();
      this.pending = []; // read from the events next time: memory must not grow while SQLite refuses
      if (db.isTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // The connection is beyond rolling back (I/O error); SQLite discards the transaction on close.
        }
      }
      throw err;
    } finally {
      if (relaxed && db.isOpen) db.exec('PRAGMA synchronous = FULL');
    }
  }

  /** Up to EVENTS_PER_COMMIT records right after the watermark: from memory when it holds them, else from the events. */
  private next(): JournalRecord[] {
    let done = 0;
    while (done < this.pending.length && this.pending[done].seq <= this.seq) done++;
    if (done > 0) this.pending.splice(0, done);
    if (this.pending.length > 0 && this.pending[0].seq === this.seq + 1) {
      return this.pending.length <= EVENTS_PER_COMMIT ? this.pending : this.pending.slice(0, EVENTS_PER_COMMIT);
    }
    this.pending = [];
    return this.io.readEvents(this.seq + 1, Math.min(EVENTS_PER_COMMIT, this.last - this.seq));
  }
}
