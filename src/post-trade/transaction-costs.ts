import { lastPriceOf, moneyToNumber, notional, sideSign, type Instrument, type MarketEvent } from '../model/index.ts';
import { feesOf, filledLots, type ExecutedOrder } from './execution-record.ts';

/** Transaction-cost analysis of one order (prices in ticks, costs in basis points; positive = a cost). */
export interface OrderCosts {
  readonly clientOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly decidedAt: number;
  /** The market price when the strategy decided: its decision price, else the last recorded price. */
  readonly arrivalPrice: number | undefined;
  readonly avgFillPrice: number | undefined;
  readonly filled: number;
  readonly quantity: number;
  /** (avg fill − arrival) against the account, bps of the arrival price. */
  readonly priceShortfallBps: number | undefined;
  /** Fees in bps of the filled notional. */
  readonly feeBps: number | undefined;
  /** Price shortfall + fees: the implementation shortfall of what was filled. */
  readonly implementationShortfallBps: number | undefined;
  /** Volume-weighted typical price ((h+l+c)/3) of the bars over the order's life, when the data has volume. */
  readonly vwap: number | undefined;
  readonly vsVwapBps: number | undefined;
  /** First fill − decision, market ms. */
  readonly delayMs: number | undefined;
}

/**
 * Arrival price, implementation shortfall and VWAP over the order's life (decision to last fill, or to the
 * next bar for an order that never filled), per order.
 *
 * @example transactionCosts(instrument, market, session.orders)[0].implementationShortfallBps
 */
export function transactionCosts(instrument: Instrument, market: readonly MarketEvent[], orders: readonly ExecutedOrder[]): OrderCosts[] {
  const times = market.map((e) => e.ts);
  const lastAtOrBefore = (ts: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] <= ts) lo = mid + 1; else hi = mid; }
    return lo - 1;
  };
  const tick = (price: number) => price / Number(instrument.priceTick);
  return orders.filter((o) => o.status !== 'DENIED').map((o) => {
    const sign = sideSign(o.side);
    const filled = filledLots(o);
    let weighted = 0;
    for (const f of o.fills) weighted += f.price * f.quantity;
    const avg = filled > 0 ? weighted / filled : undefined;
    const at = lastAtOrBefore(o.createdAt);
    const arrival = o.fills[0]?.decisionPrice ?? (at >= 0 ? tick(lastPriceOf(market[at])) : undefined);
    const shortfall = avg !== undefined && arrival ? (sign * (avg - arrival) / arrival) * 1e4 : undefined;
    const filledValue = avg !== undefined ? moneyToNumber(notional(instrument, Math.round(avg), filled)) : 0;
    const feeBps = filled > 0 && filledValue > 0 ? (moneyToNumber(feesOf(o)) / filledValue) * 1e4 : undefined;
    const end = o.fills.length ? o.fills[o.fills.length - 1].ts : (market[at + 1]?.ts ?? o.createdAt);
    let pv = 0;
    let v = 0;
    for (let i = Math.max(at, 0); i < market.length && market[i].ts <= end; i++) {
      const e = market[i];
      if (e.ts < o.createdAt || e.type !== 'bar' || !(e.volume > 0)) continue;
      pv += ((e.high + e.low + e.close) / 3) * e.volume;
      v += e.volume;
    }
    const vwap = v > 0 ? tick(pv / v) : undefined;
    return {
      clientOrderId: o.clientOrderId, side: o.side, decidedAt: o.createdAt, arrivalPrice: arrival, avgFillPrice: avg, filled, quantity: o.quantity,
      priceShortfallBps: shortfall, feeBps, implementationShortfallBps: shortfall === undefined ? undefined : shortfall + (feeBps ?? 0),
      vwap, vsVwapBps: avg !== undefined && vwap ? (sign * (avg - vwap) / vwap) * 1e4 : undefined,
      delayMs: o.fills.length ? o.fills[0].ts - o.createdAt : undefined,
    };
  });
}
