import { notional, roundDiv, type Fill, type Instrument, type Money } from '../model/index.ts';

/**
 * One instrument's position, exact. `costBasis` is the signed cost of the open lots (positive long, negative
 * short) under the average-cost method; when part of a position closes, the removed cost is rounded to one
 * money unit (10^-12) and the remainder stays in the basis, so basis + realised PnL always add up exactly.
 */
export interface Position {
  readonly instrument: Instrument;
  /** Signed lots: positive long, negative short. */
  lots: number;
  costBasis: Money;
  /** Realised PnL before fees. */
  realizedPnl: Money;
  commissions: Money;
  /** Last mark price (float, from market data). */
  lastPrice: number;
}

/** What one fill did to a position; the round-trip tracker and tests read it. */
export interface FillEffect {
  readonly lotsBefore: number;
  readonly lotsAfter: number;
  /** Lots of the fill that reduced the existing position. */
  readonly closedLots: number;
  /** Realised PnL (before fees) from the closed lots. */
  readonly realized: Money;
  /** Signed cash change from the notional (buy: negative), before fees. */
  readonly cashDelta: Money;
}

export function newPosition(instrument: Instrument): Position {
  return { instrument, lots: 0, costBasis: 0n, realizedPnl: 0n, commissions: 0n, lastPrice: NaN };
}

/**
 * Apply a fill to a position (mutates it) and return the effect. Handles opening, adding, reducing, closing
 * and flipping through zero in one fill.
 *
 * @example applyFill(pos, fill) // pos.lots, pos.costBasis, pos.realizedPnl updated exactly
 */
export function applyFill(pos: Position, fill: Fill): FillEffect {
  const inst = pos.instrument;
  const sign = fill.side === 'buy' ? 1 : -1;
  const before = pos.lots;
  const total = notional(inst, fill.price, fill.quantity);
  let realized = 0n;
  let closed = 0;
  if (before === 0 || Math.sign(before) === sign) {
    pos.lots = before + sign * fill.quantity;
    pos.costBasis += sign > 0 ? total : -total;
  } else {
    const absBefore = Math.abs(before);
    closed = Math.min(fill.quantity, absBefore);
    const removed = roundDiv(pos.costBasis * BigInt(closed), BigInt(absBefore));
    const closeNotional = closed === fill.quantity ? total : notional(inst, fill.price, closed);
    // Long closing: proceeds − cost; short closing: −(buy-back cost) − (negative basis).
    realized = (before > 0 ? closeNotional : -closeNotional) - removed;
    pos.costBasis -= removed;
    pos.lots = before + sign * closed;
    const opened = fill.quantity - closed;
    if (opened > 0) {
      pos.lots = sign * opened;
      const openNotional = total - closeNotional;
      pos.costBasis = sign > 0 ? openNotional : -openNotional;
    }
    if (pos.lots === 0) pos.costBasis = 0n;
  }
  pos.realizedPnl += realized;
  pos.commissions += fill.fee;
  return { lotsBefore: before, lotsAfter: pos.lots, closedLots: closed, realized, cashDelta: sign > 0 ? -total : total };
}

/** Average entry price of the open lots as a float (NaN when flat). */
export function averagePrice(pos: Position): number {
  if (pos.lots === 0) return NaN;
  const inst = pos.instrument;
  const perLotTick = Number(inst.notionalUnit) / 1e12;
  return (Number(pos.costBasis) / 1e12) / (pos.lots * perLotTick) * inst.tickSize;
}

/** Unrealised PnL at the last mark, float. */
export function unrealizedPnl(pos: Position): number {
  if (pos.lots === 0 || Number.isNaN(pos.lastPrice)) return 0;
  const inst = pos.instrument;
  return pos.lots * inst.lotSizeNumber * pos.lastPrice * inst.multiplierNumber - Number(pos.costBasis) / 1e12;
}
