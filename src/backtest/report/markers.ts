/**
 * Trade markers for the price chart. Buys sit below the bar pointing up, sells above pointing down, so
 * the arrow always points at the price that was paid: long entry (green, below), long exit (red, above),
 * short entry (amber, above), short exit (red, below). The entry of a position still open at the end has
 * no TradeRecord, so it is recovered from the fills.
 */
import type { FillRecord, TradeRecord } from '../result.ts';
import { formatPrice } from './format.ts';
import { isoToMs } from './time.ts';

/** The subset of lightweight-charts' `SeriesMarker` the report uses, with UTC-second times. */
export interface TradeMarker {
  readonly time: number;
  readonly position: 'aboveBar' | 'belowBar';
  readonly shape: 'arrowUp' | 'arrowDown';
  readonly color: string;
  readonly text?: string;
}

export const ENTRY_COLOR = '#16a34a';
export const SHORT_ENTRY_COLOR = '#d97706';
export const EXIT_COLOR = '#dc2626';

/** Above this many markers the price labels overlap into noise, so only arrows are drawn. */
export const MAX_LABELLED_MARKERS = 300;

/**
 * Builds the markers for closed trades and the open position's entry, snapped to the candle that contains
 * each time (candles may be aggregated) and sorted by time, as lightweight-charts requires.
 *
 * @example
 * const markers = tradeMarkers(result.trades, result.fills, result.openPositions.length > 0, candles.time);
 * // [{ time: 1704153600, position: 'belowBar', shape: 'arrowUp', color: '#16a34a', text: 'Buy 12.50' }, …]
 */
export function tradeMarkers(
  trades: readonly TradeRecord[],
  fills: readonly FillRecord[],
  hasOpenPosition: boolean,
  candleTimes: readonly number[],
): TradeMarker[] {
  if (candleTimes.length === 0) return [];
  const raw: { ms: number; buy: boolean; color: string; label: string; price: number }[] = [];
  for (const t of trades) {
    const long = t.side === 'long';
    raw.push({ ms: isoToMs(t.entryTime), buy: long, color: long ? ENTRY_COLOR : SHORT_ENTRY_COLOR, label: long ? 'Buy' : 'Short', price: t.entryPrice });
    raw.push({ ms: isoToMs(t.exitTime), buy: !long, color: EXIT_COLOR, label: long ? 'Sell' : 'Cover', price: t.exitPrice });
  }
  const open = hasOpenPosition ? openPositionEntry(fills) : null;
  if (open !== null) {
    const long = open.side === 'buy';
    raw.push({ ms: isoToMs(open.time), buy: long, color: long ? ENTRY_COLOR : SHORT_ENTRY_COLOR, label: long ? 'Buy (open)' : 'Short (open)', price: open.price });
  }
  const labelled = raw.length <= MAX_LABELLED_MARKERS;
  // Stable sort by time keeps entry-before-exit order within one candle.
  raw.sort((a, b) => a.ms - b.ms);
  return raw.map((m) => {
    const marker: TradeMarker = {
      time: candleTimes[indexAtOrBefore(candleTimes, Math.floor(m.ms / 1000))],
      position: m.buy ? 'belowBar' : 'aboveBar',
      shape: m.buy ? 'arrowUp' : 'arrowDown',
      color: m.color,
    };
    return labelled ? { ...marker, text: `${m.label} ${formatPrice(m.price)}` } : marker;
  });
}

/**
 * Finds the fill that opened the position still held at the end: the last fill that took the running
 * position from flat (or from the other side) to where it ended up. Null when the fills end flat.
 *
 * @example
 * openPositionEntry([{ side: 'buy', quantity: 10, … }]); // that fill
 */
export function openPositionEntry(fills: readonly FillRecord[]): FillRecord | null {
  let position = 0;
  let entry: FillRecord | null = null;
  for (const f of fills) {
    const before = position;
    position += f.side === 'buy' ? f.quantity : -f.quantity;
    // Quantities are floats in the result; treat float dust as flat.
    if (isFlat(position, f.quantity)) position = 0;
    const opened = position !== 0 && (before === 0 || Math.sign(before) !== Math.sign(position));
    if (opened) entry = f;
  }
  return position === 0 ? null : entry;
}

function isFlat(position: number, scale: number): boolean {
  return Math.abs(position) <= Math.abs(scale) * 1e-9;
}

/**
 * Index of the last point (candle or curve point) at or before `second`; the first point for earlier
 * times. Charts can only place a marker on a time they have, so events snap to the bucket holding them.
 *
 * @example
 * indexAtOrBefore([100, 200, 300], 250); // 1
 */
export function indexAtOrBefore(times: readonly number[], second: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= second) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
