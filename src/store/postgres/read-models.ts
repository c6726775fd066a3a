import type pg from 'pg';
import type { BalanceRow, FillRow, JournalRecord, OrderRow, PositionRow } from '../journal.ts';
import { isOpenStatus, project, type OrderProgress } from '../projection.ts';
import { ReadModelTail, tailOrderIds } from '../read-model-tail.ts';
import { eventsFrom, watermarkOf } from './event-rows.ts';

/** An order row changed by a batch, after every `order.update` of the batch is folded in (applied in SQL to the stored row). */
export interface OrderUpdate {
  readonly clientOrderId: string;
  readonly status: string;
  readonly filledDelta: number;
  readonly quantity: number | null;
  readonly venueOrderId: string | null;
  readonly reason: string | null;
  readonly isOpen: boolean;
  readonly seq: number;
}

/** A new order row, with the batch's later updates already applied. */
export interface NewOrder extends OrderRow {
  readonly isOpen: boolean;
}

/**
 * A batch's read-model changes, reduced to at most one change per row so that one statement can apply them
 * all (PostgreSQL refuses to change the same row twice in one statement). Applying them equals applying the
 * shared projector's operations one by one, in order.
 */
export interface ReadModelChanges {
  readonly newOrders: NewOrder[];
  readonly orderUpdates: OrderUpdate[];
  readonly fills: FillRow[];
  readonly positionDeltas: Array<{ account: string; instrument: string; lotsDelta: number; seq: number }>;
  /** Last balance per account and currency. */
  readonly balances: BalanceRow[];
  /** Client order ids inserted on the assumption that they are new (see ReadModelPlanner). */
  readonly assumedNew: string[];
}

/** What a batch learned from the database: an order's stored progress, or null when it has no row. */
export type StoredOrders = Map<string, OrderProgress | null>;

/** Order progress remembered after a commit, so the usual submit → accept → fill path needs no extra round trip. */
const CACHE_SIZE = 50_000;

/** PostgreSQL's unique_violation, raised by the plain INSERT of an order that turned out to exist. */
const UNIQUE_VIOLATION = '23505';

/**
 * Turns a batch of records into read-model changes with the shared projector. The projector asks for each
 * order's state "as of the previous event"; the answer comes from the batch's own changes, then from what
 * this writer committed (it is the only writer, so its memory is the truth), then from the database, fetched
 * in one query for all misses of a batch.
 *
 * A submitted order the writer does not remember is assumed new (client order ids are unique, so it almost
 * always is) and inserted with a plain INSERT: if it did exist, the statement fails as a whole, nothing is
 * committed, and the batch is planned again knowing it (`isOrderConflict`, `learn`). This keeps the write-ahead
 * of an order intent at one round trip.
 */
export class ReadModelPlanner {
  private readonly schema: string;
  private readonly committed = new Map<string, OrderProgress>();
  private pending = new Map<string, OrderProgress>();

  constructor(schema: string) {
    this.schema = schema;
  }

  async plan(c: pg.Client, records: readonly JournalRecord[], stored: StoredOrders): Promise<ReadModelChanges> {
    for (;;) {
      // Project optimistically; if the projector asked about orders we know nothing of, fetch them and redo.
      const missing = new Set<string>();
      const changes = this.fold(records, stored, missing);
      if (missing.size === 0) return changes;
      await this.learn(c, [...missing], stored);
    }
  }

  /** Fetch the stored progress of `ids` (null for no row) into `stored`. */
  async learn(c: pg.Client, ids: readonly string[], stored: StoredOrders): Promise<void> {
    for (const id of ids) stored.set(id, null);
    const rows = await c.query<{ client_order_id: string; status: string; filled_quantity: number }>(
      `SELECT client_order_id, status, filled_quantity FROM ${this.schema}.orders WHERE client_order_id = ANY($1::text[])`, [ids],
    );
    for (const r of rows.rows) stored.set(r.client_order_id, { status: r.status, filledQuantity: r.filled_quantity });
  }

  isOrderConflict(err: unknown): boolean {
    const e = err as { code?: string; constraint?: string };
    return e?.code === UNIQUE_VIOLATION && e.constraint === 'orders_pkey';
  }

  /** The batch committed: remember the progress of the orders it touched or looked up. */
  committedBatch(stored: StoredOrders): void {
    for (const [id, p] of stored) if (p !== null) this.remember(id, p);
    for (const [id, p] of this.pending) this.remember(id, p);
    this.pending = new Map();
    for (const id of this.committed.keys()) {
      if (this.committed.size <= CACHE_SIZE) break;
      this.committed.delete(id);
    }
  }

  private remember(id: string, p: OrderProgress): void {
    this.committed.delete(id); // re-insert: the Map's order is least recently written first, for eviction
    this.committed.set(id, p);
  }

  private fold(records: readonly JournalRecord[], stored: StoredOrders, missing: Set<string>): ReadModelChanges {
    const batch = new Map<string, { status: string; filledQuantity: number }>();
    const inserted = new Map<string, NewOrder>();
    const updated = new Map<string, OrderUpdate>();
    const fills: FillRow[] = [];
    const positions = new Map<string, { account: string; instrument: string; lotsDelta: number; seq: number }>();
    const balances = new Map<string, BalanceRow>();
    const assumedNew: string[] = [];
    const known = (id: string): OrderProgress | null | undefined => {
      const b = batch.get(id) ?? this.committed.get(id);
      if (b !== undefined) return b;
      return stored.get(id);
    };
    const lookup = (id: string): OrderProgress | undefined => {
      const k = known(id);
      if (k === undefined) missing.add(id);
      return k ?? undefined;
    };
    for (const record of records) {
      for (const op of project(record, lookup)) {
        switch (op.kind) {
          case 'order.insert': {
            const id = op.row.clientOrderId;
            const k = known(id);
            // A client order id names one order forever: a repeated intent keeps the first (see ProjectionOp).
            if (k) break;
            if (k === undefined) assumedNew.push(id);
            inserted.set(id, { ...op.row, isOpen: isOpenStatus(op.row.status) });
            batch.set(id, { status: op.row.status, filledQuantity: op.row.filledQuantity });
            break;
          }
          case 'order.update': {
            const id = op.clientOrderId;
            const before = known(id);
            if (!before) break; // the projector only updates orders the lookup found
            const progress = { status: op.status, filledQuantity: before.filledQuantity + op.filledDelta };
            batch.set(id, progress);
            const isOpen = isOpenStatus(op.status);
            const row = inserted.get(id);
            if (row) {
              inserted.set(id, {
                ...row, status: op.status, filledQuantity: progress.filledQuantity, quantity: op.quantity ?? row.quantity,
                venueOrderId: op.venueOrderId ?? row.venueOrderId, reason: op.reason ?? row.reason, isOpen, updatedSeq: op.seq,
              });
              break;
            }
            const u = updated.get(id);
            updated.set(id, {
              clientOrderId: id, status: op.status, filledDelta: (u?.filledDelta ?? 0) + op.filledDelta, quantity: op.quantity ?? u?.quantity ?? null,
              venueOrderId: op.venueOrderId ?? u?.venueOrderId ?? null, reason: op.reason ?? u?.reason ?? null, isOpen, seq: op.seq,
            });
            break;
          }
          case 'fill.insert':
            fills.push(op.row);
            break;
          case 'position.add': {
            const key = `${op.account}\u0000${op.instrument}`;
            const p = positions.get(key);
            positions.set(key, { account: op.account, instrument: op.instrument, lotsDelta: (p?.lotsDelta ?? 0) + op.lotsDelta, seq: op.seq });
            break;
          }
          case 'balance.upsert':
            balances.set(`${op.row.account}\u0000${op.row.currency}`, op.row);
            break;
        }
      }
    }
    this.pending = batch;
    return {
      newOrders: [...inserted.values()], orderUpdates: [...updated.values()], fills,
      positionDeltas: [...positions.values()], balances: [...balances.values()], assumedNew,
    };
  }
}

export async function readOrders(c: pg.Client, schema: string, f: { openOnly?: boolean; account?: string }): Promise<OrderRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (f.account !== undefined) where.push(`account = $${values.push(f.account)}`);
  if (f.openOnly) where.push('is_open');
  const r = await c.query(
    `SELECT ${ORDER_COLUMNS} FROM ${schema}.orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_seq, client_order_id`,
    values,
  );
  return r.rows.map(toOrderRow);
}

const ORDER_COLUMNS = 'client_order_id, account, strategy, instrument, side, type, quantity, filled_quantity, status, venue_order_id, reason, updated_seq';

function toOrderRow(o: pg.QueryResultRow): OrderRow {
  return {
    clientOrderId: o.client_order_id, account: o.account, strategy: o.strategy, instrument: o.instrument, side: o.side, type: o.type,
    quantity: o.quantity, filledQuantity: o.filled_quantity, status: o.status, venueOrderId: o.venue_order_id, reason: o.reason, updatedSeq: o.updated_seq,
  };
}

export async function readFills(c: pg.Client, schema: string, f: { fromSeq?: number; account?: string }): Promise<FillRow[]> {
  const r = await c.query(
    `SELECT seq, trade_id, client_order_id, account, strategy, instrument, side, quantity, price, fee::text AS fee, ts
       FROM ${schema}.fills WHERE seq >= $1 AND ($2::text IS NULL OR account = $2) ORDER BY seq`,
    [f.fromSeq ?? 0, f.account ?? null],
  );
  return r.rows.map((x) => ({
    seq: x.seq, tradeId: x.trade_id, clientOrderId: x.client_order_id, account: x.account, strategy: x.strategy, instrument: x.instrument,
    side: x.side, quantity: x.quantity, price: x.price, fee: x.fee, ts: x.ts,
  }));
}

export async function readPositions(c: pg.Client, schema: string, f: { account?: string }): Promise<PositionRow[]> {
  const r = await c.query(
    `SELECT account, instrument, lots, updated_seq FROM ${schema}.positions WHERE ($1::text IS NULL OR account = $1) ORDER BY account, instrument`,
    [f.account ?? null],
  );
  return r.rows.map((p) => ({ account: p.account, instrument: p.instrument, lots: p.lots, updatedSeq: p.updated_seq }));
}

export async function readBalances(c: pg.Client, schema: string, f: { account?: string }): Promise<BalanceRow[]> {
  const r = await c.query(
    `SELECT account, currency, cash::text AS cash, equity::text AS equity, realized_pnl::text AS realized_pnl, updated_seq
       FROM ${schema}.balances WHERE ($1::text IS NULL OR account = $1) ORDER BY account, currency`,
    [f.account ?? null],
  );
  return r.rows.map((b) => ({ account: b.account, currency: b.currency, cash: b.cash, equity: b.equity, realizedPnl: b.realized_pnl, updatedSeq: b.updated_seq }));
}

/**
 * A read-only journal's query: the stored rows, the watermark and the events after it in one REPEATABLE
 * READ snapshot, the events laid over the rows (ReadModelTail), so the answer is as of the last committed
 * event even while the engine's read-model statement is pending or after it died between the two commits.
 */
export async function readConsistent<T>(c: pg.Client, schema: string, stored: (c: pg.Client) => Promise<T>, overlay: (tail: ReadModelTail, rows: T) => T): Promise<T> {
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const at = await watermarkOf(c, schema);
    const rows = await stored(c);
    const records = await eventsFrom(c, schema, at + 1);
    if (records.length === 0) return rows;
    const ids = tailOrderIds(records);
    const known = new Map<string, OrderRow>();
    if (ids.length > 0) {
      const r = await c.query(`SELECT ${ORDER_COLUMNS} FROM ${schema}.orders WHERE client_order_id = ANY($1::text[])`, [ids]);
      for (const o of r.rows) known.set(o.client_order_id, toOrderRow(o));
    }
    return overlay(new ReadModelTail(records, known), rows);
  } finally {
    await c.query('COMMIT');
  }
}
