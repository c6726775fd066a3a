import type { Liquidity, OrderRequest } from '../../model/index.ts';

/**
 * Where a working order can trade on one market event. Prices are in ticks. Pure functions of the order,
 * the event and whether the order already rested through an earlier event; every rule is in docs/fills.md.
 */
export interface FillOpportunity {
  /** Reference price in ticks before slippage. */
  price: number;
  liquidity: Liquidity;
  /** Taker fills of market and stop orders slip; limit fills trade at their price or better. */
  slips: boolean;
  /** For stop-limits: slippage may not push the price past this limit (ticks). */
  cap: number | undefined;
}

/** `through`: a resting limit fills only when the market trades beyond it (conservative: queue position);
 * `touch`: trading at the limit is enough. */
export type LimitFillRule = 'through' | 'touch';

const NONE = undefined;

/**
 * Match against a bar (OHLC in ticks). Path assumption for stop-limits: the open comes first; the low and
 * high follow in either order, and a limit left resting after a gap can fill later in the same bar.
 * `triggered` carries a stop-limit's trigger state across bars.
 */
export function matchBar(o: OrderRequest, open: number, high: number, low: number, rule: LimitFillRule, triggered: boolean): FillOpportunity | undefined {
  const buy = o.side === 'buy';
  switch (o.type) {
    case 'market':
      return { price: open, liquidity: 'taker', slips: true, cap: NONE };
    case 'limit':
      return limitOnBar(buy, o.limitPrice, open, high, low, rule);
    case 'stop':
      if (buy ? open >= o.stopPrice : open <= o.stopPrice) return { price: open, liquidity: 'taker', slips: true, cap: NONE };
      if (buy ? high >= o.stopPrice : low <= o.stopPrice) return { price: o.stopPrice, liquidity: 'taker', slips: true, cap: NONE };
      return NONE;
    case 'stop_limit': {
      if (triggered) return limitOnBar(buy, o.limitPrice, open, high, low, rule);
      const gapped = buy ? open >= o.stopPrice : open <= o.stopPrice;
      if (gapped) {
        // Triggered at the open: fill there if the open is within the limit, else rest as a limit for the rest of the bar.
        if (buy ? open <= o.limitPrice : open >= o.limitPrice) return { price: open, liquidity: 'taker', slips: true, cap: o.limitPrice };
        const rest = buy ? crosses(low, o.limitPrice, rule, true) : crosses(high, o.limitPrice, rule, false);
        return rest ? { price: o.limitPrice, liquidity: 'maker', slips: false, cap: NONE } : NONE;
      }
      if (buy ? high >= o.stopPrice : low <= o.stopPrice) {
        // Triggered inside the bar at the stop price, which is within the limit by construction.
        return { price: o.stopPrice, liquidity: 'taker', slips: true, cap: o.limitPrice };
      }
      return NONE;
    }
  }
}

/** Whether a stop-limit's stop was reached on this bar (so it rests as a limit afterwards). */
export function stopReachedOnBar(o: OrderRequest, high: number, low: number): boolean {
  if (o.type !== 'stop_limit') return false;
  return o.side === 'buy' ? high >= o.stopPrice : low <= o.stopPrice;
}

function crosses(extreme: number, limit: number, rule: LimitFillRule, buy: boolean): boolean {
  if (buy) return rule === 'touch' ? extreme <= limit : extreme < limit;
  return rule === 'touch' ? extreme >= limit : extreme > limit;
}

function limitOnBar(buy: boolean, limit: number, open: number, high: number, low: number, rule: LimitFillRule): FillOpportunity | undefined {
  // A gap through the limit fills at the open, the price actually available, not at the limit.
  if (buy ? open <= limit : open >= limit) return { price: open, liquidity: 'taker', slips: false, cap: NONE };
  if (buy ? crosses(low, limit, rule, true) : crosses(high, limit, rule, false)) return { price: limit, liquidity: 'maker', slips: false, cap: NONE };
  return NONE;
}

/**
 * Match against a quote (bid/ask in ticks) or a trade (price in ticks; pass it as both bid and ask).
 * An order seeing its first event after arrival takes what is there (taker at the bid/ask). A limit that
 * rested through earlier events is hit at its own price when the market reaches it (maker).
 */
export function matchTick(o: OrderRequest, bid: number, ask: number, rested: boolean, rule: LimitFillRule, triggered: boolean): FillOpportunity | undefined {
  const buy = o.side === 'buy';
  const take = buy ? ask : bid;
  switch (o.type) {
    case 'market':
      return { price: take, liquidity: 'taker', slips: true, cap: NONE };
    case 'limit':
      return limitOnTick(buy, o.limitPrice, take, rested, rule);
    case 'stop':
      return (buy ? take >= o.stopPrice : take <= o.stopPrice) ? { price: take, liquidity: 'taker', slips: true, cap: NONE } : NONE;
    case 'stop_limit':
      if (!triggered && !(buy ? take >= o.stopPrice : take <= o.stopPrice)) return NONE;
      if (!triggered) return (buy ? take <= o.limitPrice : take >= o.limitPrice) ? { price: take, liquidity: 'taker', slips: true, cap: o.limitPrice } : NONE;
      return limitOnTick(buy, o.limitPrice, take, true, rule);
  }
}

/** Whether a stop-limit's stop was reached on this quote/trade. */
export function stopReachedOnTick(o: OrderRequest, bid: number, ask: number): boolean {
  if (o.type !== 'stop_limit') return false;
  return o.side === 'buy' ? ask >= o.stopPrice : bid <= o.stopPrice;
}

function limitOnTick(buy: boolean, limit: number, take: number, rested: boolean, rule: LimitFillRule): FillOpportunity | undefined {
  if (!rested) return (buy ? take <= limit : take >= limit) ? { price: take, liquidity: 'taker', slips: false, cap: NONE } : NONE;
  return crosses(take, limit, rule, buy) ? { price: limit, liquidity: 'maker', slips: false, cap: NONE } : NONE;
}
