import { notional, roundToTicks, sideSign, lastPriceOf, type Instrument, type MarketEvent, type Money } from '../model/index.ts';
import { feesOf, filledLots, type ExecutedOrder, type ExecutionSide } from './execution-record.ts';

/**
 * How one decision went on both sides: `matched` (both sent it), `missed-signal` (the benchmark sent it, the
 * session never did), `extra` (the session sent one the benchmark did not). Each carries the PnL effects that
 * explain the gap, in exact Money marked at the period's last price (see `compareExecutions`).
 */
export interface TradeComparison {
  readonly kind: 'matched' | 'missed-signal' | 'extra';
  readonly decidedAt: number;
  readonly side: 'buy' | 'sell';
  readonly tag: string | undefined;
  readonly benchmark: OrderOutcome | undefined;
  readonly session: OrderOutcome | undefined;
  /** Session avg fill vs benchmark avg fill, basis points, positive = worse for the account. */
  readonly slippageBps: number | undefined;
  /** Session first fill − benchmark first fill, market ms (how much later it executed). */
  readonly extraDelayMs: number | undefined;
  /** The PnL effects (session minus benchmark), summing to this trade's part of the gap. */
  readonly effects: PnlEffects;
}

export interface OrderOutcome {
  readonly clientOrderId: string;
  readonly status: string;
  readonly reason: string | undefined;
  readonly quantity: number;
  readonly filled: number;
  readonly fills: number;
  /** Average fill price, ticks (undefined without a fill). */
  readonly avgPrice: number | undefined;
  readonly firstFillAt: number | undefined;
  readonly fee: Money;
}

/** The waterfall's steps for one trade (or all of them). */
export interface PnlEffects {
  /** Worse (or better) prices than the market at the moment of each fill. */
  readonly executionSlippage: Money;
  /** Fee differences. */
  readonly fees: Money;
  /** Signals missed or extra, and quantity not filled (partial and missed fills). */
  readonly missedTrades: Money;
  /** The market moving between the benchmark's fill and the session's later one. */
  readonly latency: Money;
}

export interface ExecutionComparison {
  readonly trades: readonly TradeComparison[];
  /** PnL of each side over the period (fills marked at `markPrice`, fees off), exact. */
  readonly benchmarkPnl: Money;
  readonly sessionPnl: Money;
  readonly effects: PnlEffects;
  /** The last market price of the period, ticks: every position is marked there. */
  readonly markPrice: number;
}

const ZERO: PnlEffects = { executionSlippage: 0n, fees: 0n, missedTrades: 0n, latency: 0n };

/**
 * Match a session's orders to its benchmark's decision by decision (same decision time and side), then explain
 * the PnL gap exactly. With every fill marked at the period's last price P, a side's PnL is
 * Σ sign·q·(P − p) − fees. For a matched pair with benchmark quantity Q at average price B and session fills
 * (q_k, p_k) at market reference prices r_k (the price a market order got at that moment: the fill bar's open,
 * else the last price):
 *   quantity not filled  sign·(Σq_k − Q)·(P − B)   → missed trades
 *   latency              Σ sign·q_k·(B − r_k)      → the market moved while it waited
 *   execution slippage   Σ sign·q_k·(r_k − p_k)    → worse than the market when it executed
 *   fees                 benchmark fees − session fees
 * Unmatched orders are missed (or extra) trades. The four buckets add up to session PnL − benchmark PnL, to
 * the unit of Money.
 *
 * @example const c = compareExecutions(instrument, market, backtest, session); c.sessionPnl - c.benchmarkPnl
 */
export function compareExecutions(instrument: Instrument, market: readonly MarketEvent[], benchmark: ExecutionSide, session: ExecutionSide): ExecutionComparison {
  if (market.length === 0) throw new Error('compareExecutions needs market events');
  const mark = roundToTicks(instrument, lastPriceOf(market[market.length - 1]), 'nearest');
  const reference = referencePrices(instrument, market);
  const gross = (sign: number, lots: number, price: number) => BigInt(sign) * notional(instrument, mark - price, lots);
  const pnlOf = (orders: readonly ExecutedOrder[]) => {
    let pnl = 0n;
    for (const o of orders) for (const f of o.fills) pnl += gross(sideSign(o.side), f.quantity, f.price) - f.fee;
    return pnl;
  };

  const queue = new Map<string, ExecutedOrder[]>();
  const key = (o: ExecutedOrder) => `${o.createdAt}|${o.side}`;
  for (const o of session.orders) {
    const list = queue.get(key(o)) ?? [];
    list.push(o);
    queue.set(key(o), list);
  }
  const trades: TradeComparison[] = [];
  for (const b of benchmark.orders) {
    if (b.status === 'DENIED') continue; // never left the gate in the benchmark: nothing to compare
    const s = queue.get(key(b))?.shift();
    trades.push(compareTrade(b, s));
  }
  for (const list of queue.values()) for (const s of list) trades.push(compareTrade(undefined, s));
  trades.sort((a, b) => a.decidedAt - b.decidedAt || a.side.localeCompare(b.side));

  let total = ZERO;
  for (const t of trades) total = addEffects(total, t.effects);
  return { trades, benchmarkPnl: pnlOf(benchmark.orders), sessionPnl: pnlOf(session.orders), effects: total, markPrice: mark };

  function compareTrade(b: ExecutedOrder | undefined, s: ExecutedOrder | undefined): TradeComparison {
    const o = (b ?? s)!;
    const sign = sideSign(o.side);
    const bo = b && outcome(b);
    const so = s && outcome(s);
    let effects: PnlEffects;
    if (b && s) {
      const q = filledLots(b);
      const avgB = bo!.avgPrice;
      let latency = 0n;
      let slippage = 0n;
      for (const f of s.fills) {
        const r = reference(f.ts) ?? f.price;
        // Without a benchmark fill there is no price to be late against: all of it is the missed quantity's.
        if (avgB !== undefined) latency += BigInt(sign) * notional(instrument, Math.round(avgB) - r, f.quantity);
        slippage += BigInt(sign) * notional(instrument, r - f.price, f.quantity);
      }
      const qtyGap = avgB === undefined ? gross(sign, filledLots(s), reference(s.fills[0]?.ts ?? 0) ?? mark) : gross(sign, filledLots(s) - q, Math.round(avgB));
      // The rounding of a benchmark average to whole ticks goes to execution slippage, so the sum stays exact.
      const exact = grossOf(s) - grossOf(b);
      const residual = exact - (qtyGap + latency + slippage);
      effects = { executionSlippage: slippage + residual, fees: feesOf(b) - feesOf(s), missedTrades: qtyGap, latency };
    } else if (b) {
      effects = { ...ZERO, fees: feesOf(b), missedTrades: -grossOf(b) };
    } else {
      effects = { ...ZERO, fees: -feesOf(s!), missedTrades: grossOf(s!) };
    }
    const slippageBps = bo?.avgPrice !== undefined && so?.avgPrice !== undefined ? (sign * (so.avgPrice - bo.avgPrice) / bo.avgPrice) * 1e4 : undefined;
    const extraDelayMs = bo?.firstFillAt !== undefined && so?.firstFillAt !== undefined ? so.firstFillAt - bo.firstFillAt : undefined;
    return { kind: b && s ? 'matched' : b ? 'missed-signal' : 'extra', decidedAt: o.createdAt, side: o.side, tag: o.tag, benchmark: bo, session: so, slippageBps, extraDelayMs, effects };
  }

  function grossOf(o: ExecutedOrder): Money {
    let g = 0n;
    for (const f of o.fills) g += gross(sideSign(o.side), f.quantity, f.price);
    return g;
  }
}

function outcome(o: ExecutedOrder): OrderOutcome {
  const filled = filledLots(o);
  let weighted = 0;
  for (const f of o.fills) weighted += f.price * f.quantity;
  return {
    clientOrderId: o.clientOrderId, status: o.status, reason: o.reason, quantity: o.quantity, filled, fills: o.fills.length,
    avgPrice: filled > 0 ? weighted / filled : undefined, firstFillAt: o.fills[0]?.ts, fee: feesOf(o),
  };
}

export function addEffects(a: PnlEffects, b: PnlEffects): PnlEffects {
  return { executionSlippage: a.executionSlippage + b.executionSlippage, fees: a.fees + b.fees, missedTrades: a.missedTrades + b.missedTrades, latency: a.latency + b.latency };
}

/**
 * The price a market order got at time t in the model, in ticks: the open of a bar starting at t (market
 * orders fill at the open), else the last price known at t.
 */
function referencePrices(instrument: Instrument, market: readonly MarketEvent[]): (ts: number) => number | undefined {
  const times = market.map((e) => e.ts);
  return (ts) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] <= ts) lo = mid + 1; else hi = mid; }
    if (lo === 0) return undefined;
    const e = market[lo - 1];
    const price = e.type === 'bar' && e.ts === ts ? e.open : lastPriceOf(e);
    return roundToTicks(instrument, price, 'nearest');
  };
}
