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
  read(options?: ReadOptions): Promise<JournalRecord[]>;
  /** Highest sequence appended so far (0 when empty). */
  lastSeq(): Promise<number>;
  saveSnapshot(snapshot: SnapshotRecord): Promise<void>;
  latestSnapshot(): Promise<SnapshotRecord | undefined>;
  /** Read models (folded from the events in the same transaction as the append). */
  orders(filter?: { openOnly?: boolean; account?: string }): Promise<OrderRow[]>;
  fills(filter?: { fromSeq?: number; account?: string }): Promise<FillRow[]>;
  positions(filter?: { account?: string }): Promise<PositionRow[]>;
  balances(filter?: { account?: string }): Promise<BalanceRow[]>;
  close(): Promise<void>;
}
