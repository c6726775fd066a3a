import type { AuditRow, AuditRowQuery } from './audit-table.ts';

/**
 * The durable event journal (DESIGN.md principles 4 and 5, "Persistence and recovery"): an append-only log
 * of everything the engine saw and did, with a global sequence, plus periodic snapshots and read models.
 * Two implementations (SQLite, embedded default; PostgreSQL, production) pass one contract suite
 * (test/store/journal-contract.ts).
 *
 * The interface is asynchronous because PostgreSQL is; the engine's synchronous core never awaits it: order
 * intents wait in an outbox until their append is durable (write-ahead), everything else is appended behind.
 */

/** Where an event belongs: the account, and the strategy and instrument when it has them. */
export interface JournalStream {
  readonly account: string;
  readonly strategy?: string;
  readonly instrument?: string;
}

/** An event to append. `payload` is JSON-serialisable; bigints (Money) are allowed and come back as bigints. */
export interface NewJournalEvent {
  /** Engine time of the event (simulated or wall), epoch ms. */
  readonly ts: number;
  readonly stream: JournalStream;
  /** The event's type tag, e.g. "order.submitted", "risk.state-changed". */
  readonly type: string;
  readonly payload: unknown;
  /** The strategy version that produced it (code hash + parameters), for the audit record; absent for engine events. */
  readonly version?: string;
}

/** An event as stored, with its global sequence number (1, 2, 3, … without gaps, in append order). */
export interface JournalRecord extends NewJournalEvent {
  readonly seq: number;
}

export interface SnapshotRecord {
  /** The journal sequence the state includes (events after it are the tail to replay). */
  readonly seq: number;
  readonly ts: number;
  readonly state: unknown;
}

/**
 * How hard a commit is pushed to disk:
 * - `process`: survives a crash of the engine process (SQLite WAL with synchronous=NORMAL; PostgreSQL with
 *   synchronous_commit off). The default: the OS still holds the last writes if only the process dies.
 * - `machine`: survives a power loss or kernel crash (fsync on every commit; synchronous_commit on).
 */
export type Durability = 'process' | 'machine';

export interface ReadOptions {
  /** First sequence to return (default 1). */
  readonly fromSeq?: number;
  /** At most this many records (default: all). */
  readonly limit?: number;
  /** Only events of this account/strategy/instrument (each given field must match). */
  readonly stream?: Partial<JournalStream>;
  /** Only these types. */
  readonly types?: readonly string[];
}

/** Read models maintained with the events, for `keel state` and later the API. */
export interface OrderRow {
  readonly clientOrderId: string;
  readonly account: string;
  readonly strategy: string;
  readonly instrument: string;
  readonly side: string;
  readonly type: string;
  /** Lots, as in the order. */
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly status: string;
  readonly venueOrderId: string | null;
  readonly reason: string | null;
  readonly updatedSeq: number;
}

export interface FillRow {
  readonly seq: number;
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly strategy: string;
  readonly instrument: string;
  readonly side: string;
  /** Lots and ticks, as in the fill. */
  readonly quantity: number;
  readonly price: number;
  /** Money as a decimal string of 10^-12 units (exact). */
  readonly fee: string;
  readonly ts: number;
}

export interface PositionRow {
  readonly account: string;
  readonly instrument: string;
  /** Signed lots. */
  readonly lots: number;
  readonly updatedSeq: number;
}

/** Cash and PnL of an account, from the engine's `account.balance` events (exact Money as decimal strings of 10^-12 units). */
export interface BalanceRow {
  readonly account: string;
  readonly currency: string;
  readonly cash: string;
  readonly equity: string;
  readonly realizedPnl: string;
  readonly updatedSeq: number;
}

export interface Journal {
  readonly kind: 'sqlite' | 'postgres';
  readonly durability: Durability;
  /** Human-readable location without secrets ("journal.sqlite", "postgres://127.0.0.1:5432/test schema keel"). */
  readonly location: string;
  /**
   * Append events in order; resolves with their sequence numbers once durable (per `durability`). Calls made
   * while a commit is in flight are committed together in the next batch (group commit), never reordered.
   */
  append(events: readonly NewJournalEvent[]): Promise<readonly number[]>;
  /**
   * Journals whose commits are synchronous (SQLite) also offer this: commit `events` (after everything
   * queued, in the same transaction) before returning their sequence numbers; throws instead of rejecting.
   * The engine's writer uses it for an order intent, so that the request leaves in the same turn of the event
   * loop as the market event that caused it.
   */
  appendNow?(events: readonly NewJournalEvent[]): readonly number[];
  read(options?: ReadOptions): Promise<JournalRecord[]>;
  /** Highest sequence appended so far (0 when empty). */
  lastSeq(): Promise<number>;
  saveSnapshot(snapshot: SnapshotRecord): Promise<void>;
  latestSnapshot(): Promise<SnapshotRecord | undefined>;
  /**
   * Read models, folded from the events. They are committed after the events, in transactions of their own
   * (so that an order intent's write-ahead commit holds only its event), but every query answers as of the
   * last committed event: the writer folds what is behind first, a read-only journal lays the events after
   * the stored read models' watermark over them, and opening for writing folds what a crash left behind.
   */
  orders(filter?: { openOnly?: boolean; account?: string }): Promise<OrderRow[]>;
  fills(filter?: { fromSeq?: number; account?: string }): Promise<FillRow[]>;
  positions(filter?: { account?: string }): Promise<PositionRow[]>;
  balances(filter?: { account?: string }): Promise<BalanceRow[]>;
  /**
   * Resolves with the stored read models' watermark (the last event they include) once, for a writer, they
   * include every event appended before the call. A read-only journal only reports it (its queries lay the
   * events after it over the stored rows).
   */
  settleReadModels(): Promise<number>;
  /** The audit table's rows (store/audit-table.ts), read on the journal's own connection, for backups and fingerprints. */
  readAudit(query?: AuditRowQuery): Promise<AuditRow[]>;
  /** The audit chain's id (store/audit-table.ts). */
  auditChainId(): Promise<string>;
  close(): Promise<void>;
}
