import type { Instrument, Money } from '../model/index.ts';

/** One line of a book to value: a position and what is working on each side, at a reference price in ticks. */
export interface ExposureLine {
  readonly instrument: Instrument;
  readonly lots: number;
  readonly openBuyLots: number;
  readonly openSellLots: number;
  /** Integer ticks to value at; 0 when the instrument has no price yet. */
  readonly refTicks: number;
}

/** Gross and net exposure before and after adding one order, worst case over the working orders. */
export interface ExposureChange {
  readonly grossBefore: Money;
  readonly grossAfter: Money;
  readonly netBefore: Money;
  readonly netAfter: Money;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Exposure if every working order on one side filled (the worst case a limit must survive): gross is the
 * sum of each instrument's larger |long case| or |short case|; net is the larger |sum| of the two cases.
 * `orderLine` names the line the new order trades and `buyLots`/`sellLots` the lots it adds.
 */
export function exposureChange(lines: readonly ExposureLine[], orderLine: number, buyLots: number, sellLots: number): ExposureChange {
  let grossBefore = 0n, grossAfter = 0n, longBefore = 0n, longAfter = 0n, shortBefore = 0n, shortAfter = 0n;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.refTicks === 0 || (l.lots === 0 && l.openBuyLots === 0 && l.openSellLots === 0 && i !== orderLine)) continue;
    const unit = BigInt(l.refTicks) * l.instrument.notionalUnit;
    const longCase = BigInt(l.lots + l.openBuyLots) * unit;
    const shortCase = BigInt(l.lots - l.openSellLots) * unit;
    const before = max(abs(longCase), abs(shortCase));
    grossBefore += before;
    longBefore += longCase;
    shortBefore += shortCase;
    if (i === orderLine) {
      const longA = longCase + BigInt(buyLots) * unit;
      const shortA = shortCase - BigInt(sellLots) * unit;
      grossAfter += max(abs(longA), abs(shortA));
      longAfter += longA;
      shortAfter += shortA;
    } else {
      grossAfter += before;
      longAfter += longCase;
      shortAfter += shortCase;
    }
  }
  return { grossBefore, grossAfter, netBefore: max(abs(longBefore), abs(shortBefore)), netAfter: max(abs(longAfter), abs(shortAfter)) };
}

/** Reference price in whole ticks (0 without one). */
export function refTicksOf(inst: Instrument, refPrice: number): number {
  return Number.isNaN(refPrice) ? 0 : Math.round(refPrice / inst.tickSize);
}
