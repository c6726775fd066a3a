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
 * `orderInstrument` is the instrument the new order trades, `buyLots`/`sellLots` the lots it adds, and
 * `orderRefTicks` the price to value it at when the instrument has no reference yet (its limit price).
 */
export function exposureChange(
  lines: readonly ExposureLine[], orderInstrument: Instrument, buyLots: number, sellLots: number, orderRefTicks: number,
): ExposureChange {
  return sameUnitChange(lines, orderInstrument, buyLots, sellLots, orderRefTicks) ?? exactChange(lines, orderInstrument, buyLots, sellLots, orderRefTicks);
}

/**
 * The common case, fast: every line values a tick-lot at the same amount (one currency, same increments),
 * so sums can run in integer tick-lots as plain numbers and become Money once at the end. Exact as long as
 * the sums stay safe integers; undefined otherwise (the caller falls back to bigint throughout).
 */
function sameUnitChange(lines: readonly ExposureLine[], orderInstrument: Instrument, buyLots: number, sellLots: number, orderRefTicks: number): ExposureChange | undefined {
  const unit = orderInstrument.notionalUnit;
  let gb = 0, ga = 0, lb = 0, la = 0, sb = 0, sa = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const isOrderLine = l.instrument === orderInstrument;
    const ticks = isOrderLine && l.refTicks === 0 ? orderRefTicks : l.refTicks;
    if (ticks === 0 || (l.lots === 0 && l.openBuyLots === 0 && l.openSellLots === 0 && !isOrderLine)) continue;
    if (l.instrument.notionalUnit !== unit) return undefined;
    const longCase = (l.lots + l.openBuyLots) * ticks;
    const shortCase = (l.lots - l.openSellLots) * ticks;
    const before = Math.max(Math.abs(longCase), Math.abs(shortCase));
    gb += before; lb += longCase; sb += shortCase;
    if (isOrderLine) {
      const longA = longCase + buyLots * ticks;
      const shortA = shortCase - sellLots * ticks;
      ga += Math.max(Math.abs(longA), Math.abs(shortA)); la += longA; sa += shortA;
    } else {
      ga += before; la += longCase; sa += shortCase;
    }
  }
  const nb = Math.max(Math.abs(lb), Math.abs(sb));
  const na = Math.max(Math.abs(la), Math.abs(sa));
  if (!Number.isSafeInteger(gb) || !Number.isSafeInteger(ga) || !Number.isSafeInteger(la) || !Number.isSafeInteger(sa) || !Number.isSafeInteger(lb) || !Number.isSafeInteger(sb)) return undefined;
  return { grossBefore: BigInt(gb) * unit, grossAfter: BigInt(ga) * unit, netBefore: BigInt(nb) * unit, netAfter: BigInt(na) * unit };
}

function exactChange(
  lines: readonly ExposureLine[], orderInstrument: Instrument, buyLots: number, sellLots: number, orderRefTicks: number,
): ExposureChange {
  let grossBefore = 0n, grossAfter = 0n, longBefore = 0n, longAfter = 0n, shortBefore = 0n, shortAfter = 0n;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const isOrderLine = l.instrument === orderInstrument;
    const ticks = isOrderLine && l.refTicks === 0 ? orderRefTicks : l.refTicks;
    if (ticks === 0 || (l.lots === 0 && l.openBuyLots === 0 && l.openSellLots === 0 && !isOrderLine)) continue;
    const unit = BigInt(ticks) * l.instrument.notionalUnit;
    const longCase = BigInt(l.lots + l.openBuyLots) * unit;
    const shortCase = BigInt(l.lots - l.openSellLots) * unit;
    const before = max(abs(longCase), abs(shortCase));
    grossBefore += before;
    longBefore += longCase;
    shortBefore += shortCase;
    if (isOrderLine) {
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

