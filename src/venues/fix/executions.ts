import { MONEY_ONE, notional, parseMoney, type Fill, type Instrument, type Money, type OrderRequest, type OrderStatus, type VenueReport } from '../../model/index.ts';
import { parseLots, parseTicks } from '../alpaca/index.ts';
import type { FixSymbol } from './config.ts';
import type { SessionStore, StoredFill, StoredOrder } from './session-store.ts';
import { parseFixTime, type FixMessage } from './wire.ts';

/**
 * ExecutionReports (8) and OrderCancelRejects (9) → Keel's order reports, with the order's state kept in the
 * session store. Each report is given once: an execution by its ExecID (a resent report with PossDupFlag, or the
 * same execution seen again in a status answer, books nothing twice), each state change once.
 *
 * OrdStatus (39) / ExecType (150) in Keel's words: New → accepted; Partially filled / Filled (4.2 ExecType 1/2,
 * 4.4 ExecType F Trade) → filled with the leaves quantity; Done for day (3) → expired (a DAY order that will not
 * trade again today; its fills stay); Canceled (4) → canceled; Replaced (5) → updated; Rejected (8) →
 * rejected; Expired (C) → expired. Pending states (6, A, E) change nothing until their outcome arrives.
 */

const FINAL = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

export function isFinal(status: string): boolean {
  return FINAL.has(status);
}

/** OrdStatus (39) → Keel's status. */
export function statusOf(ordStatus: string | undefined): OrderStatus | undefined {
  switch (ordStatus) {
    case '0': case '9': case 'D': case '6': case 'E': return 'ACCEPTED';
    case '1': return 'PARTIALLY_FILLED';
    case '2': return 'FILLED';
    case '3': case 'C': return 'EXPIRED';
    case '4': case '5': return 'CANCELED'; // 4.2 "Replaced" on the old ClOrdID is answered by order.updated first
    case '8': return 'REJECTED';
    case 'A': return 'SUBMITTED';
    default: return undefined;
  }
}

export interface ExecutionContext {
  readonly store: SessionStore;
  readonly symbolOf: (instrumentId: string) => FixSymbol | undefined;
  readonly log: (line: string) => void;
  /** The report time: the venue's TransactTime/SendingTime, or the replayed market's time when one is replayed. */
  readonly stamp: (venueTime: number | undefined) => number;
}

/** The request an order was stored with, typed back. */
export function requestOf(o: StoredOrder): OrderRequest {
  return o.request as unknown as OrderRequest;
}

/**
 * Apply one ExecutionReport; the reports it makes, in order. Never throws for a venue's odd message: what
 * cannot be booked exactly makes the order `order.unknown` (the engine then stops adding risk and reconciles).
 */
export function onExecutionReport(m: FixMessage, c: ExecutionContext): VenueReport[] {
  const fixId = m.get(11) ?? '';
  const o = c.store.orderByFixId(fixId) ?? (m.get(41) ? c.store.orderByFixId(m.get(41)!) : undefined);
  if (!o) {
    c.log(`ExecutionReport for ClOrdID ${fixId || '?'} (OrderID ${m.get(37) ?? '?'}) that this session never sent; left for reconciliation`);
    return [];
  }
  const id = String(o.request.clientOrderId);
  const ts = c.stamp(parseFixTime(m.get(60)) ?? parseFixTime(m.get(52)));
  const out: VenueReport[] = [];
  const accept = () => {
    if (o.status !== 'SUBMITTED') return;
    o.status = 'ACCEPTED';
    out.push({ type: 'order.accepted', ts, clientOrderId: id, venueOrderId: o.venueOrderId ?? id });
  };
  if (m.get(37) && m.get(37) !== 'NONE') o.venueOrderId = m.get(37);
  const execType = m.get(150);
  const transType = m.get(20); // 4.2 only
  const isStatus = execType === 'I' || transType === '3';
  const isFill = !isStatus && (execType === '1' || execType === '2' || execType === 'F') && Number(m.get(32) ?? '0') > 0;
  const symbol = c.symbolOf(String(o.request.instrumentId));
  try {
    if (transType === '1' || transType === '2' || execType === 'H' || execType === 'G') {
      // A bust or correction of an execution: Keel cannot unbook a fill; a person must look.
      out.push(...unknown(o, ts, `the venue sent a trade ${transType === '1' || execType === 'H' ? 'cancel (bust)' : 'correction'} for ExecID ${m.get(19) ?? m.get(17)}; check the order at the venue`));
    } else if (isFill && symbol) {
      const tradeId = `${id}/${m.get(17) ?? ''}`;
      if (!c.store.hasFill(tradeId)) {
        const qty = parseLots(symbol.instrument, m.get(32)!, 'LastShares (32)');
        const px = parseTicks(symbol.instrument, m.get(31) ?? '', 'LastPx (31)');
        const cum = m.get(14) !== undefined ? parseLots(symbol.instrument, m.get(14)!, 'CumQty (14)') : undefined;
        const req = requestOf(o);
        const known = parseLots(symbol.instrument, o.cumQty, 'CumQty');
        const cumAfter = cum ?? (known + qty);
        const leavesField = m.get(151);
        const leaves = leavesField !== undefined ? parseLots(symbol.instrument, leavesField, 'LeavesQty (151)') : Math.max(0, req.quantity - cumAfter);
        const fee = commissionOf(m, symbol.instrument, qty, px);
        accept();
        c.store.addFill({ tradeId, clientOrderId: id, venueOrderId: o.venueOrderId ?? id, side: req.side, quantity: m.get(32)!, price: m.get(31)!, ts, ...(fee === 0n ? {} : { fee: String(fee) }) });
        o.cumQty = m.get(14) ?? String(Number(o.cumQty) + Number(m.get(32)));
        const fill: Fill = {
          clientOrderId: id, venueOrderId: o.venueOrderId ?? id, tradeId, strategyId: req.strategyId, instrumentId: req.instrumentId,
          side: req.side, quantity: qty, price: px, fee, liquidity: 'taker', ts, decisionPrice: undefined,
        };
        out.push({ type: 'order.filled', ts, clientOrderId: id, fill, leavesQuantity: (m.get(39) === '2' ? 0 : leaves) as Fill['quantity'] });
        o.status = m.get(39) === '2' || leaves === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
      }
    } else if (isStatus) {
      out.push(...statusAnswer(o, m, ts, c));
    } else {
      out.push(...stateChange(o, m, ts, accept));
    }
  } catch (e) {
    out.push(...unknown(o, ts, `ExecutionReport Keel cannot book exactly: ${(e as Error).message}`));
  }
  c.store.putOrder(o);
  return out;
}

function stateChange(o: StoredOrder, m: FixMessage, ts: number, accept: () => void): VenueReport[] {
  const id = String(o.request.clientOrderId);
  const text = m.get(58);
  const out: VenueReport[] = [];
  const push = (r: VenueReport) => out.push(r);
  const execType = m.get(150) ?? m.get(39);
  switch (execType) {
    case '0': accept(); break;
    case '8':
      if (o.status === 'SUBMITTED') { o.status = 'REJECTED'; push({ type: 'order.rejected', ts, clientOrderId: id, reason: text ?? `rejected by the venue (OrdRejReason ${m.get(103) ?? '?'})` }); }
      else if (o.pendingReplace && m.get(11) === o.pendingReplace.fixId) { o.pendingReplace = undefined; push({ type: 'order.update-rejected', ts, clientOrderId: id, reason: text ?? 'replace rejected by the venue' }); }
      break;
    case '4':
      if (isFinal(o.status)) break;
      accept();
      o.status = 'CANCELED';
      o.pendingCancel = undefined;
      o.pendingReplace = undefined;
      push({ type: 'order.canceled', ts, clientOrderId: id, reason: text ?? 'canceled' });
      break;
    case '3': case 'C':
      if (isFinal(o.status)) break;
      accept();
      o.status = 'EXPIRED';
      push({ type: 'order.expired', ts, clientOrderId: id });
      break;
    case '5': {
      const p = o.pendingReplace;
      if (!p || (m.get(11) !== p.fixId)) break;
      o.pendingReplace = undefined;
      o.request = p.request;
      o.fixId = p.fixId;
      o.fixIds.push(p.fixId);
      push({ type: 'order.updated', ts, clientOrderId: id, order: p.request as unknown as OrderRequest });
      break;
    }
    default: break; // pending states, restatements without a change: nothing to report
  }
  return out;
}

/** The answer to an OrderStatusRequest: the venue's state now. Missed fills cannot be priced exactly from it. */
function statusAnswer(o: StoredOrder, m: FixMessage, ts: number, c: ExecutionContext): VenueReport[] {
  const id = String(o.request.clientOrderId);
  const venue = statusOf(m.get(39));
  if (m.get(39) === '8' && m.get(103) === '5' || /unknown order/i.test(m.get(58) ?? '')) {
    // The venue has no such order: the NewOrderSingle never reached it (stored, then the process died).
    if (o.status === 'SUBMITTED') {
      o.status = 'REJECTED';
      return [{ type: 'order.rejected', ts, clientOrderId: id, reason: 'never reached the venue (unknown order at the counterparty); not resubmitted' }];
    }
    return unknown(o, ts, 'the venue no longer knows this order');
  }
  if (m.get(14) !== undefined && Number(m.get(14)) !== Number(o.cumQty)) {
    return unknown(o, ts, `the venue reports ${m.get(14)} filled, Keel holds executions for ${o.cumQty}; the missing executions cannot be booked from a status answer`);
  }
  c.log(`status of ${id}: ${venue ?? m.get(39)} (venue) / ${o.status} (store)`);
  const accept = () => {
    if (o.status !== 'SUBMITTED') return [];
    o.status = 'ACCEPTED';
    return [{ type: 'order.accepted', ts, clientOrderId: id, venueOrderId: o.venueOrderId ?? id } as VenueReport];
  };
  switch (venue) {
    case 'ACCEPTED': case 'PARTIALLY_FILLED': return accept();
    case 'CANCELED': if (isFinal(o.status)) return []; o.status = 'CANCELED'; return [...accept(), { type: 'order.canceled', ts, clientOrderId: id, reason: m.get(58) ?? 'canceled at the venue' }];
    case 'EXPIRED': if (isFinal(o.status)) return []; o.status = 'EXPIRED'; return [...accept(), { type: 'order.expired', ts, clientOrderId: id }];
    case 'REJECTED': if (o.status !== 'SUBMITTED') return []; o.status = 'REJECTED'; return [{ type: 'order.rejected', ts, clientOrderId: id, reason: m.get(58) ?? 'rejected by the venue' }];
    default: return [];
  }
}

function unknown(o: StoredOrder, ts: number, reason: string): VenueReport[] {
  if (isFinal(o.status) || o.status === 'UNKNOWN') return [];
  o.status = 'UNKNOWN';
  return [{ type: 'order.unknown', ts, clientOrderId: String(o.request.clientOrderId), reason }];
}

/** Signed position (lots) and cash the session's executions add up to, per instrument. */
export function ledger(store: SessionStore, symbols: readonly FixSymbol[], startCash: Money): { positions: Record<string, number>; cash: Money } {
  const positions: Record<string, number> = {};
  let cash = startCash;
  for (const f of store.fills()) {
    const o = store.order(f.clientOrderId);
    const s = o ? symbols.find((x) => x.instrument.id === o.request.instrumentId) : undefined;
    if (!s) continue;
    const lots = parseLots(s.instrument, f.quantity, 'quantity');
    const ticks = parseTicks(s.instrument, f.price, 'price');
    const sign = f.side === 'buy' ? 1 : -1;
    positions[s.instrument.id] = (positions[s.instrument.id] ?? 0) + sign * lots;
    cash -= BigInt(sign) * notional(s.instrument, ticks, lots) + BigInt(f.fee ?? '0');
  }
  return { positions, cash };
}

/** A stored execution as a Keel Fill (for reconciliation snapshots). */
export function storedFill(f: StoredFill, req: OrderRequest, s: FixSymbol): Fill {
  return {
    clientOrderId: f.clientOrderId, venueOrderId: f.venueOrderId, tradeId: f.tradeId, strategyId: req.strategyId, instrumentId: req.instrumentId,
    side: f.side, quantity: parseLots(s.instrument, f.quantity, 'quantity'), price: parseTicks(s.instrument, f.price, 'price'),
    fee: BigInt(f.fee ?? '0'), liquidity: 'taker', ts: f.ts, decisionPrice: undefined,
  };
}

/**
 * The fee of one execution from its Commission (12) and CommType (13): 3 absolute (also when CommType is
 * missing), 1 per unit of the instrument, 2 a percentage of the execution's value. No Commission: 0 (the
 * counterparty charges nothing on the message, e.g. QuickFIX's executor). Exact in Money; a value that is not
 * a plain decimal throws, and the caller marks the report as one it cannot book exactly.
 */
export function commissionOf(m: { get(tag: number): string | undefined }, inst: Instrument, lots: number, ticks: number): Money {
  const text = m.get(12);
  if (text === undefined || text === '') return 0n;
  const amount = parseMoney(text, 'Commission (12)');
  switch (m.get(13) ?? '3') {
    case '3': return amount;
    case '1': return (amount * parseMoney(m.get(32) ?? '0', 'LastShares (32)')) / MONEY_ONE; // the quantity as the venue wrote it: exact
    case '2': return (notional(inst, ticks, lots) * amount) / (100n * MONEY_ONE);
    default: throw new Error(`CommType (13) = ${JSON.stringify(m.get(13))} is not 1 (per unit), 2 (percentage) or 3 (absolute)`);
  }
}

