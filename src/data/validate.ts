import type { Bar, Quote, TradeTick } from '../model/index.ts';
import { findGaps } from './gaps.ts';
import { IssueLog, type ValidationReport } from './issues.ts';
import { findJumps, findSplits } from './jumps.ts';
import type { DataKind } from './layouts.ts';
import { columnsOfEvents, selectRows, type SeriesColumns } from './series-columns.ts';
import { median } from './stats.ts';
import {
  INTERVAL_MISMATCH_TOLERANCE, OUTLIER_MIN_ABS_LOG_RETURN, TICK_OUTLIER_MIN_ABS_LOG_RETURN, WIDE_SPREAD_FACTOR, WIDE_SPREAD_MIN_FRACTION,
} from './thresholds.ts';
import { formatDuration, formatInstant } from './time-format.ts';

/**
 * Semantic checks on a series of market events, from a file or built in memory. Fatal: non-positive or
 * non-finite prices, negative volume/size, high < low, timestamps going backwards. Warnings: duplicate
 * timestamps, other OHLC inconsistencies, gaps, outlier jumps, suspected unadjusted splits, crossed or
 * abnormally wide quotes. Nothing is repaired here; the loader decides what to keep. The checks read columns
 * (`SeriesColumns`), so a file's million rows are checked without a million objects.
 */

export interface SeriesValidationOptions {
  /** File line of each event, for messages; default `index + 2` (as if read from a file with a header). */
  readonly lines?: ArrayLike<number>;
  /** The spacing the data should have; a different measured median is reported, and gaps use this. */
  readonly expectedIntervalMs?: number;
  /** Zone whose calendar days bound trading days in the gap check (default UTC). */
  readonly timeZone?: string;
  /** Layout name to put in the report (default `memory`). */
  readonly layout?: string;
}

/** What the checks leave for the loader: the events kept (first of each timestamp, valid, in order). */
export interface SeriesFacts {
  /** Indexes kept, ascending; undefined when every event is kept. */
  readonly kept: Int32Array | undefined;
  /** The kept events' columns (the input itself when all are kept). */
  readonly series: SeriesColumns;
  /** Median spacing between consecutive distinct timestamps, ms. */
  readonly intervalMs: number;
}

/**
 * Validate bars in memory.
 *
 * @example
 * const report = validateBars(bars);
 * if (report.errors.length > 0) console.log(formatValidationReport('bars', report));
 */
export function validateBars(bars: readonly Bar[], opts: SeriesValidationOptions = {}): ValidationReport {
  const log = new IssueLog();
  const facts = checkBars(columnsOfEvents('bars', bars), linesOf(bars.length, opts), log, opts);
  return buildReport('bars', opts.layout ?? 'memory', bars.length, facts, log);
}

/** Validate trade ticks in memory. @example validateTrades(trades).warnings */
export function validateTrades(trades: readonly TradeTick[], opts: SeriesValidationOptions = {}): ValidationReport {
  const log = new IssueLog();
  const facts = checkTrades(columnsOfEvents('trades', trades), linesOf(trades.length, opts), log, opts);
  return buildReport('trades', opts.layout ?? 'memory', trades.length, facts, log);
}

/** Validate quotes in memory. @example validateQuotes(quotes).errors */
export function validateQuotes(quotes: readonly Quote[], opts: SeriesValidationOptions = {}): ValidationReport {
  const log = new IssueLog();
  const facts = checkQuotes(columnsOfEvents('quotes', quotes), linesOf(quotes.length, opts), log, opts);
  return buildReport('quotes', opts.layout ?? 'memory', quotes.length, facts, log);
}

/** Bar checks; keeps the first bar of each timestamp among the valid ones, in order. */
export function checkBars(cols: SeriesColumns, lines: ArrayLike<number>, log: IssueLog, opts: SeriesValidationOptions): SeriesFacts {
  const [open, high, low, close, volume] = cols.values;
  const valid = new Uint8Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const line = lines[i];
    const o = open[i], h = high[i], l = low[i], c = close[i];
    // Evaluate every check (no short-circuit) so validation lists all problems of a row.
    let ok = positive(log, line, 'open', o);
    ok = positive(log, line, 'high', h) && ok;
    ok = positive(log, line, 'low', l) && ok;
    ok = positive(log, line, 'close', c) && ok;
    ok = notNegative(log, line, 'volume', volume[i], 'NEGATIVE_VOLUME') && ok;
    if (!ok) continue;
    if (h < l) {
      log.error({ code: 'HIGH_BELOW_LOW', line, field: 'high', value: String(h), message: `is below low ${l}` });
      continue;
    }
    // Warnings only: some vendors compute high/low from trades but open/close from auctions or quotes.
    if (h < Math.max(o, c)) {
      if (log.lists('HIGH_BELOW_OPEN_CLOSE')) {
        log.warn({ code: 'HIGH_BELOW_OPEN_CLOSE', line, field: 'high', value: String(h), message: `is below max(open ${o}, close ${c})` });
      } else log.countWarning('HIGH_BELOW_OPEN_CLOSE');
    }
    if (l > Math.min(o, c)) {
      if (log.lists('LOW_ABOVE_OPEN_CLOSE')) {
        log.warn({ code: 'LOW_ABOVE_OPEN_CLOSE', line, field: 'low', value: String(l), message: `is above min(open ${o}, close ${c})` });
      } else log.countWarning('LOW_ABOVE_OPEN_CLOSE');
    }
    valid[i] = 1;
  }
  const kept = checkTimestamps(cols, lines, valid, log, undefined);
  const series = selectRows(cols, kept);
  const keptLines = linesAt(lines, kept);
  const intervalMs = intervalOf(series.ts, opts, log);
  const gapInterval = opts.expectedIntervalMs ?? intervalMs;
  for (const issue of findGaps(series.ts, keptLines, gapInterval, opts.timeZone ?? 'UTC')) log.warn(issue);
  const splits = findSplits(series, keptLines);
  for (const issue of splits) log.warn(issue);
  const splitLines = new Set(splits.map((s) => s.line));
  for (const issue of findJumps(series.values[3], keptLines, 'close', OUTLIER_MIN_ABS_LOG_RETURN, splitLines)) log.warn(issue);
  return { kept, series, intervalMs };
}

/** Trade checks; ticks sharing a timestamp are all kept (several prints per millisecond are normal). */
export function checkTrades(cols: SeriesColumns, lines: ArrayLike<number>, log: IssueLog, opts: SeriesValidationOptions): SeriesFacts {
  const [price, size] = cols.values;
  const valid = new Uint8Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const ok = positive(log, lines[i], 'price', price[i]);
    valid[i] = notNegative(log, lines[i], 'size', size[i], 'NEGATIVE_SIZE') && ok ? 1 : 0;
  }
  const kept = checkTimestamps(cols, lines, valid, log, (a, b) => price[a] === price[b] && size[a] === size[b]);
  const series = selectRows(cols, kept);
  const intervalMs = intervalOf(series.ts, opts, log);
  for (const issue of findJumps(series.values[0], linesAt(lines, kept), 'price', TICK_OUTLIER_MIN_ABS_LOG_RETURN)) log.warn(issue);
  return { kept, series, intervalMs };
}

/** Quote checks: crossed (bid > ask) and abnormally wide quotes are warnings. */
export function checkQuotes(cols: SeriesColumns, lines: ArrayLike<number>, log: IssueLog, opts: SeriesValidationOptions): SeriesFacts {
  const [bid, ask, bidSize, askSize] = cols.values;
  const valid = new Uint8Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const line = lines[i];
    let ok = positive(log, line, 'bid', bid[i]);
    ok = positive(log, line, 'ask', ask[i]) && ok;
    ok = notNegative(log, line, 'bidSize', bidSize[i], 'NEGATIVE_SIZE') && ok;
    ok = notNegative(log, line, 'askSize', askSize[i], 'NEGATIVE_SIZE') && ok;
    if (ok && bid[i] > ask[i]) log.warn({ code: 'CROSSED_QUOTE', line, field: 'bid', value: String(bid[i]), message: `is above ask ${ask[i]}` });
    valid[i] = ok ? 1 : 0;
  }
  const same = (a: number, b: number): boolean => bid[a] === bid[b] && ask[a] === ask[b] && bidSize[a] === bidSize[b] && askSize[a] === askSize[b];
  const kept = checkTimestamps(cols, lines, valid, log, same);
  const series = selectRows(cols, kept);
  const keptLines = linesAt(lines, kept);
  const intervalMs = intervalOf(series.ts, opts, log);
  const [kb, ka] = series.values;
  const n = series.length;
  const spreads = new Float64Array(n);
  const mids = new Float64Array(n);
  for (let i = 0; i < n; i++) { spreads[i] = ka[i] - kb[i]; mids[i] = (kb[i] + ka[i]) / 2; }
  const typicalSpread = median(spreads);
  for (let i = 0; i < n; i++) {
    const spread = spreads[i];
    const mid = (ka[i] + kb[i]) / 2;
    if (spread > WIDE_SPREAD_FACTOR * typicalSpread && spread > WIDE_SPREAD_MIN_FRACTION * mid) {
      log.warn({
        code: 'WIDE_SPREAD', line: keptLines[i], field: 'ask', value: String(ka[i]),
        message: `spread ${roundTo(spread)} (${((spread / mid) * 100).toFixed(1)}% of mid) is ${Math.round(spread / typicalSpread)}x the median spread ${roundTo(typicalSpread)}`,
      });
    }
  }
  for (const issue of findJumps(mids, keptLines, 'mid', TICK_OUTLIER_MIN_ABS_LOG_RETURN)) log.warn(issue);
  return { kept, series, intervalMs };
}

/**
 * Order and duplicates. Backwards time is fatal (sorting could hide a file spliced from two sources).
 * Bars (`sameTick` undefined): a repeated timestamp is a warning and only the first is kept. Ticks: all are
 * kept; only a tick identical to the one before is reported (a feed delivered twice).
 * Returns the kept indexes, or undefined when all are kept (the common case costs no index array).
 */
function checkTimestamps(
  cols: SeriesColumns, lines: ArrayLike<number>, valid: Uint8Array, log: IssueLog, sameTick: ((a: number, b: number) => boolean) | undefined,
): Int32Array | undefined {
  const ts = cols.ts;
  let kept: Int32Array | undefined;
  let k = 0;
  let last = -1;
  const drop = (i: number): void => {
    if (kept !== undefined) return;
    kept = new Int32Array(cols.length);
    for (let j = 0; j < i; j++) kept[j] = j;
    k = i;
  };
  for (let i = 0; i < cols.length; i++) {
    const t = ts[i];
    if (!Number.isFinite(t)) {
      log.error({ code: 'BAD_TIMESTAMP', line: lines[i], field: 'time', value: String(t), message: 'is not a finite epoch ms' });
      drop(i);
      continue;
    }
    if (valid[i] === 0) { drop(i); continue; }
    if (last >= 0 && t < ts[last]) {
      log.error({
        code: 'OUT_OF_ORDER', line: lines[i], field: 'time', value: formatInstant(t),
        message: `is earlier than line ${lines[last]} (${formatInstant(ts[last])}); sort the file by time`,
      });
      drop(i);
      continue;
    }
    if (last >= 0 && t === ts[last]) {
      if (sameTick === undefined) {
        if (log.lists('DUPLICATE_TIMESTAMP')) {
          log.warn({ code: 'DUPLICATE_TIMESTAMP', line: lines[i], field: 'time', value: formatInstant(t), message: `repeats line ${lines[last]}; the first is kept` });
        } else log.countWarning('DUPLICATE_TIMESTAMP');
        drop(i);
        continue;
      }
      if (sameTick(i, last)) {
        log.warn({ code: 'DUPLICATE_TICK', line: lines[i], field: 'time', value: formatInstant(t), message: `is identical to line ${lines[last]} (kept: it may be a second real print)` });
      }
    }
    if (kept !== undefined) kept[k++] = i;
    last = i;
  }
  return kept === undefined ? undefined : (kept as Int32Array).subarray(0, k);
}

/** Median spacing of increasing timestamps; reports a mismatch with `expectedIntervalMs`. */
function intervalOf(ts: Float64Array, opts: SeriesValidationOptions, log: IssueLog): number {
  const spacings = new Float64Array(Math.max(0, ts.length - 1));
  let n = 0;
  for (let i = 1; i < ts.length; i++) if (ts[i] > ts[i - 1]) spacings[n++] = ts[i] - ts[i - 1];
  const intervalMs = median(spacings.subarray(0, n));
  const expected = opts.expectedIntervalMs;
  if (expected !== undefined && n > 0 && Math.abs(intervalMs - expected) > INTERVAL_MISMATCH_TOLERANCE * expected) {
    log.warn({
      code: 'INTERVAL_MISMATCH', line: 0,
      message: `median spacing is ${formatDuration(intervalMs)}, expected ${formatDuration(expected)}`,
    });
  }
  return intervalMs;
}

function positive(log: IssueLog, line: number, field: string, v: number): boolean {
  if (v > 0 && Number.isFinite(v)) return true;
  const code = Number.isFinite(v) ? 'NON_POSITIVE_PRICE' : 'NOT_A_NUMBER';
  if (!log.lists(code)) { log.countError(code); return false; }
  log.error({ code, line, field, value: String(v), message: code === 'NOT_A_NUMBER' ? 'is not a finite number' : 'must be positive' });
  return false;
}

function notNegative(log: IssueLog, line: number, field: string, v: number, code: string): boolean {
  if (v >= 0 && Number.isFinite(v)) return true;
  const finite = Number.isFinite(v);
  if (!log.lists(finite ? code : 'NOT_A_NUMBER')) { log.countError(finite ? code : 'NOT_A_NUMBER'); return false; }
  log.error({ code: finite ? code : 'NOT_A_NUMBER', line, field, value: String(v), message: finite ? 'must not be negative' : 'is not a finite number' });
  return false;
}

/** Assemble the report from the collected issues and the kept events. */
export function buildReport(kind: DataKind, layout: string, rows: number, facts: SeriesFacts, log: IssueLog): ValidationReport {
  const { errors, warnings } = log.finish();
  const { ts, length } = facts.series;
  return {
    kind, layout, rows,
    firstTs: length > 0 ? ts[0] : null,
    lastTs: length > 0 ? ts[length - 1] : null,
    intervalMs: facts.intervalMs, errors, warnings,
  };
}

function linesOf(n: number, opts: SeriesValidationOptions): ArrayLike<number> {
  if (opts.lines) return opts.lines;
  const lines = new Int32Array(n);
  for (let i = 0; i < n; i++) lines[i] = i + 2;
  return lines;
}

function linesAt(lines: ArrayLike<number>, kept: Int32Array | undefined): ArrayLike<number> {
  if (kept === undefined) return lines;
  const out = new Int32Array(kept.length);
  for (let i = 0; i < kept.length; i++) out[i] = lines[kept[i]];
  return out;
}

function roundTo(x: number): string {
  return String(Number(x.toPrecision(6)));
}
