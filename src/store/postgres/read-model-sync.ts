import type pg from 'pg';
import type { JournalRecord } from '../journal.ts';
import { readModelStatement } from './append-statement.ts';
import type { PostgresConfig } from './config.ts';
import { PgSession } from './connection.ts';
import { eventsFrom, watermarkOf } from './event-rows.ts';
import { ReadModelPlanner, type StoredOrders } from './read-models.ts';
import { fencedError } from './fencing.ts';

/** Events folded into the read models per statement (as for the events: pg's arrays get slow past a few thousand rows). */
const EVENTS_PER_COMMIT = 2000;

/**
 * Keeps the PostgreSQL read models (orders, fills, positions, balances) up to date with the events, on a
 * connection of its own, one statement (one transaction) per run of events, after the events committed.
 *
 * An order intent's write-ahead commit is then one small INSERT on the journal's connection, never queued
 * behind a read-model statement; the read models follow in parallel. Events that commit while a fold is in
 * flight go in the next one together. The rows and the watermark (`read_model_state.seq`) change in the same
 * statement, so the stored read models are exactly the fold of the events up to it, never ahead of the events
 * (this connection only sees committed events, and the server's WAL keeps commits in order). The
 * connection commits with synchronous_commit off whatever the journal's durability: a lost read-model commit
 * is folded again at the next open.
 *
 * A failed fold stops the folding for this journal's life: its queries then fail with that error (the
 * events and the engine are unaffected), and the next open folds what is behind.
 */
export class PostgresReadModelSync {
  private readonly session: PgSession;
  private readonly schema: string;
  private readonly planner: ReadModelPlanner;
  /** Committed events not folded yet, in seq order (normally starting right after the watermark). */
  private pending: JournalRecord[] = [];
  private seq: number;
  private last: number;
  private running: Promise<void> | undefined;
  private failure: unknown;
  /** Statements that folded events, and the time spent on them, ms (benchmarks, tests). */
  commits = 0;
  busyMs = 0;

  /** The fencing epoch every fold checks (undefined: not fenced). */
  private readonly epoch: number | undefined;
  private readonly location: string;

  private constructor(session: PgSession, schema: string, watermark: number, last: number, epoch: number | undefined, location: string) {
    this.epoch = epoch;
    this.location = location;
    this.session = session;
    this.schema = schema;
    this.planner = new ReadModelPlanner(schema);
    this.seq = watermark;
    this.last = last;
  }

  /**
   * Connect the read models' own session and fold what is behind the events (`lastSeq`): a crash between an
   * event commit and its read models' left them behind.
   */
  static async open(config: PostgresConfig, schema: string, lastSeq: number, epoch?: number, location = schema): Promise<PostgresReadModelSync> {
    // Named apart in pg_stat_activity: an operator sees which connection holds the writer lock and which folds.
    const session = await PgSession.connect(config, 'keel journal read models');
    try {
      const watermark = await session.exclusive(async (c) => {
        await c.query('SET synchronous_commit = off');
        return watermarkOf(c, schema);
      });
      const sync = new PostgresReadModelSync(session, schema, watermark, lastSeq, epoch, location);
      await sync.settle();
      return sync;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  /** The last event the stored read models include. */
  get watermark(): number {
    return this.seq;
  }

  /** `records` (seq order, following every earlier call) were committed, up to `last`. */
  committed(records: readonly JournalRecord[], last: number): void {
    this.last = last;
    if (this.failure !== undefined) return;
    for (let i = 0; i < records.length; i++) this.pending.push(records[i]);
    this.running ??= this.run();
  }

  /** Resolves with the watermark once every event committed so far is folded; rejects with what stopped the folding. */
  async settle(): Promise<number> {
    if (this.failure === undefined && this.seq < this.last) this.running ??= this.run();
    while (this.running) await this.running;
    if (this.failure !== undefined) throw this.failure;
    return this.seq;
  }

  /** Finish folding (failures are left to the next open), then close the connection. */
  async close(): Promise<void> {
    await this.settle().catch(() => {});
    await this.session.close();
  }

  private async run(): Promise<void> {
    // Yield once: events committed in this tick join the first fold, and `running` is set before it is cleared.
    await undefined;
    try {
      while (this.seq < this.last) {
        const records = await this.next();
        if (records.length === 0) throw new Error(`read models: events ${this.seq + 1}..${this.last} are missing from the journal`);
        await this.session.exclusive((c) => this.fold(c, records));
      }
    } catch (err) {
      this.failure = err;
      this.pending = [];
    }
    this.running = undefined;
  }

  /** One statement: the records' read-model changes and the watermark moved to the last of them. */
  private async fold(c: pg.Client, records: readonly JournalRecord[]): Promise<void> {
    const to = records[records.length - 1].seq;
    const t0 = performance.now();
    const stored: StoredOrders = new Map();
    for (;;) {
      const changes = await this.planner.plan(c, records, stored);
      try {
        const r = await c.query<{ current: number }>(readModelStatement(this.schema, changes, to, this.epoch));
        if (this.epoch !== undefined && r.rows[0]?.current !== 1) throw fencedError(this.epoch, this.location, `the read models of events ${records[0].seq}..${to}`);
        break;
      } catch (err) {
        // An order intent repeated under a known client order id: nothing was written; plan again knowing it.
        if (!this.planner.isOrderConflict(err) || changes.assumedNew.length === 0) throw err;
        await this.planner.learn(c, changes.assumedNew, stored);
      }
    }
    this.planner.committedBatch(stored);
    this.seq = to;
    this.commits++;
    this.busyMs += performance.now() - t0;
  }

  /** Up to EVENTS_PER_COMMIT records right after the watermark: from memory when it holds them, else from the events. */
  private async next(): Promise<JournalRecord[]> {
    let done = 0;
    while (done < this.pending.length && this.pending[done].seq <= this.seq) done++;
    if (done > 0) this.pending.splice(0, done);
    if (this.pending.length > 0 && this.pending[0].seq === this.seq + 1) return this.pending.slice(0, EVENTS_PER_COMMIT);
    this.pending = [];
    return this.session.exclusive((c) => eventsFrom(c, this.schema, this.seq + 1, Math.min(EVENTS_PER_COMMIT, this.last - this.seq)));
  }
}
