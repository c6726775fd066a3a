import { TERMINAL_STATUSES, type Fill, type OrderEvent, type OrderRequest, type OrderStatus } from '../model/index.ts';
import { nextStatus } from '../execution/index.ts';
import type { BalanceRow, FillRow, JournalRecord, OrderRow } from './journal.ts';

/**
 * One change to the read models, applied by each dialect in the append's transaction, in order:
 * - `order.insert`: a new order row. If the client order id already has a row, the stored row stays: a
 *   client order id names one order forever, and a repeated intent must not erase the first one's fills.
 * - `order.update`: set the status, add `filledDelta` to the filled quantity, replace the quantity, venue
 *   order id and reason when given (absent = keep), set `updatedSeq` to `seq`.
 * - `fill.insert`: one row per journaled fill event (its `seq` is unique).
 * - `position.add`: add signed lots to the account's position in the instrument (create it at 0 first).
 * - `balance.upsert`: the account's balance in that currency becomes the row.
 */
export type ProjectionOp =
  | { readonly kind: 'order.insert'; readonly row: OrderRow }
  | {
    readonly kind: 'order.update'; readonly clientOrderId: string; readonly status: string; readonly filledDelta: number;
    readonly quantity?: number; readonly venueOrderId?: string; readonly reason?: string; readonly seq: number;
  }
  | { readonly kind: 'fill.insert'; readonly row: FillRow }
  | { readonly kind: 'position.add'; readonly account: string; readonly instrument: string; readonly lotsDelta: number; readonly seq: number }
  | { readonly kind: 'balance.upsert'; readonly row: BalanceRow };

/** What the projector needs to know about an order already in the read model. */
export interface OrderProgress {
  readonly status: string;
  readonly filledQuantity: number;
}

/**
 * An order's state in the read model as of the previous event (the dialect answers from inside the same
 * transaction, the batch's earlier events included), or undefined when there is no row. The filled quantity
 * matters: a modification answered after a partial fill leaves the order PARTIALLY_FILLED, not ACCEPTED.
 */
export type OrderLookup = (clientOrderId: string) => OrderProgress | undefined;

/** The event type of the engine's cash and PnL record (payload `AccountBalance`). */
export const ACCOUNT_BALANCE = 'account.balance';

/** Payload of an `account.balance` event: Money in 10^-12 units of `currency`. */
export interface AccountBalance {
  readonly currency: string;
  readonly cash: bigint;
  readonly equity: bigint;
  readonly realizedPnl: bigint;
}

/** True while an order can still trade (the read model's "open orders"). */
export function isOpenStatus(status: string): boolean {
  return !TERMINAL_STATUSES.has(status as OrderStatus);
}

/**
 * The read models' view of one journaled event (pure: the same record and lookup give the same operations).
 * Order events are the OMS's own (`payload` is the OrderEvent, `type` its tag) and move the order through
 * the OMS's transition table. Events the read models do not show (risk, market data, lifecycle, cancel
 * requests) project to nothing.
 *
 * @example
 * project({ seq: 7, ts: 1, stream: { account: 'A' }, type: 'order.accepted', payload: accepted }, () => ({ status: 'SUBMITTED', filledQuantity: 0 }))
 * // [{ kind: 'order.update', clientOrderId: 'c-1', status: 'ACCEPTED', filledDelta: 0, venueOrderId: 'V1', seq: 7 }]
 */
export function project(record: JournalRecord, lookup: OrderLookup): ProjectionOp[] {
  const account = record.stream.account;
  const seq = record.seq;
  if (record.type === ACCOUNT_BALANCE) {
    const p = record.payload as AccountBalance;
    return [{
      kind: 'balance.upsert',
      row: { account, currency: p.currency, cash: String(p.cash), equity: String(p.equity), realizedPnl: String(p.realizedPnl), updatedSeq: seq },
    }];
  }
  const e = asOrderEvent(record);
  if (e === undefined) return [];
  if (e.type === 'order.submitted') return [{ kind: 'order.insert', row: orderRow(e.order, account, seq) }];
  // A denial happens before an order exists anywhere but the engine: it leaves no order row (the event
  // itself stays in the journal, with the check and the reason).
  if (e.type === 'order.denied') return [];

  // Fills and positions are facts the venue reported: they are booked even for an order the read model
  // does not know, so that positions match the venue's.
  const booked: ProjectionOp[] = e.type === 'order.filled' ? [
    { kind: 'fill.insert', row: fillRow(e.fill, account, seq) },
    { kind: 'position.add', account, instrument: e.fill.instrumentId, lotsDelta: e.fill.side === 'buy' ? e.fill.quantity : -e.fill.quantity, seq },
  ] : [];
  const current = lookup(e.clientOrderId);
  if (current === undefined) return booked;
  let status = current.status;
  try {
    status = nextStatus(current.status as OrderStatus, e, current.filledQuantity);
  } catch {
    // A report the OMS would refuse (it throws before journaling, so this is a foreign or repaired journal)
    // leaves the status where it was: the read model never invents a transition.
  }
  const id = e.clientOrderId;
  let update: ProjectionOp;
  switch (e.type) {
    case 'order.accepted': update = { kind: 'order.update', clientOrderId: id, status, filledDelta: 0, seq, venueOrderId: e.venueOrderId }; break;
    case 'order.filled': update = { kind: 'order.update', clientOrderId: id, status, filledDelta: e.fill.quantity, seq }; break;
    case 'order.updated': update = { kind: 'order.update', clientOrderId: id, status, filledDelta: 0, seq, quantity: e.order.quantity }; break;
    case 'order.rejected': case 'order.canceled': case 'order.unknown':
      update = { kind: 'order.update', clientOrderId: id, status, filledDelta: 0, seq, reason: e.reason };
      break;
    default: update = { kind: 'order.update', clientOrderId: id, status, filledDelta: 0, seq };
  }
  if (booked.length === 0) return [update];
  booked.unshift(update);
  return booked;
}

/**
 * Why `project` could not read this event, or undefined when it can: an order event or balance whose payload
 * lacks what the read models take from it. Dialects refuse such an event at its own `append` call
 * (BAD_JOURNAL_EVENT), before it can fail a batch shared with other callers. Event types the read models
 * ignore are always fine.
 *
 * @example projectionProblem('order.accepted', { clientOrderId: 'c-1' }) // 'payload.venueOrderId must be a string'
 */
export function projectionProblem(type: string, payload: unknown): string | undefined {
  if (type !== ACCOUNT_BALANCE && !ORDER_EVENT_TYPES.has(type)) return undefined;
  if (typeof payload !== 'object' || payload === null) return 'payload must be an object';
  const p = payload as Record<string, unknown>;
  if (type === ACCOUNT_BALANCE) {
    if (typeof p.currency !== 'string') return 'payload.currency must be a string';
    for (const k of ['cash', 'equity', 'realizedPnl']) if (typeof p[k] !== 'bigint') return `payload.${k} must be Money (a bigint)`;
    return undefined;
  }
  if (type === 'order.submitted') return orderProblem(p.order, 'payload.order');
  if (typeof p.clientOrderId !== 'string' || p.clientOrderId === '') return 'payload.clientOrderId must be a non-empty string';
  switch (type) {
    case 'order.accepted': return typeof p.venueOrderId === 'string' ? undefined : 'payload.venueOrderId must be a string';
    case 'order.rejected': case 'order.canceled': case 'order.unknown': return typeof p.reason === 'string' ? undefined : 'payload.reason must be a string';
    case 'order.updated': case 'order.pending-update': return orderProblem(p.order, 'payload.order');
    case 'order.filled': return fillProblem(p.fill) ?? (Number.isSafeInteger(p.leavesQuantity) ? undefined : 'payload.leavesQuantity must be whole lots');
    default: return undefined;
  }
}

function orderProblem(o: unknown, field: string): string | undefined {
  if (typeof o !== 'object' || o === null) return `${field} must be an order`;
  const r = o as Record<string, unknown>;
  for (const k of ['clientOrderId', 'strategyId', 'instrumentId', 'type']) if (typeof r[k] !== 'string' || r[k] === '') return `${field}.${k} must be a non-empty string`;
  if (r.side !== 'buy' && r.side !== 'sell') return `${field}.side must be buy or sell`;
  return Number.isSafeInteger(r.quantity) ? undefined : `${field}.quantity must be whole lots`;
}

function fillProblem(f: unknown): string | undefined {
  if (typeof f !== 'object' || f === null) return 'payload.fill must be a fill';
  const r = f as Record<string, unknown>;
  for (const k of ['tradeId', 'clientOrderId', 'strategyId', 'instrumentId']) if (typeof r[k] !== 'string') return `payload.fill.${k} must be a string`;
  if (r.side !== 'buy' && r.side !== 'sell') return 'payload.fill.side must be buy or sell';
  if (!Number.isSafeInteger(r.quantity) || !Number.isSafeInteger(r.price)) return 'payload.fill.quantity and price must be whole lots and ticks';
  if (typeof r.fee !== 'bigint') return 'payload.fill.fee must be Money (a bigint)';
  return typeof r.ts === 'number' ? undefined : 'payload.fill.ts must be a number';
}

/** The client order ids whose read-model state `project` will ask for (to fetch them in one query). */
export function ordersAskedFor(records: readonly JournalRecord[]): string[] {
  const ids = new Set<string>();
  for (const r of records) {
    const e = asOrderEvent(r);
    if (e !== undefined && e.type !== 'order.submitted' && e.type !== 'order.denied') ids.add(e.clientOrderId);
  }
  return [...ids];
}

const ORDER_EVENT_TYPES: ReadonlySet<string> = new Set<OrderEvent['type']>([
  'order.submitted', 'order.denied', 'order.accepted', 'order.rejected', 'order.filled', 'order.canceled', 'order.expired',
  'order.unknown', 'order.pending-update', 'order.update-denied', 'order.updated', 'order.update-rejected',
]);

/** The record's payload as an OrderEvent when it is one of the OMS's events; other `order.*` types (cancel requests) are not. */
function asOrderEvent(record: JournalRecord): OrderEvent | undefined {
  return ORDER_EVENT_TYPES.has(record.type) ? record.payload as OrderEvent : undefined;
}

function orderRow(o: OrderRequest, account: string, seq: number): OrderRow {
  return {
    clientOrderId: o.clientOrderId, account, strategy: o.strategyId, instrument: o.instrumentId, side: o.side, type: o.type,
    quantity: o.quantity, filledQuantity: 0, status: 'SUBMITTED', venueOrderId: null, reason: null, updatedSeq: seq,
  };
}

function fillRow(f: Fill, account: string, seq: number): FillRow {
  return {
    seq, tradeId: f.tradeId, clientOrderId: f.clientOrderId, account, strategy: f.strategyId, instrument: f.instrumentId, side: f.side,
    quantity: f.quantity, price: f.price, fee: String(f.fee), ts: f.ts,
  };
}
