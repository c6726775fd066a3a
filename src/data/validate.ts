import type { Bar, Quote, TradeTick } from '../model/index.ts';
import { findGaps } from './gaps.ts';
import { IssueLog, type ValidationIssue, type ValidationReport } from './issues.ts';
import { findJumps, findSplits } from './jumps.ts';
import type { DataKind } from './layouts.ts';
import { median } from './stats.ts';
import {
  INTERVAL_MISMATCH_TOLERANCE, OUTLIER_MIN_ABS_LOG_RETURN, TICK_OUTLIER_MIN_ABS_LOG_RETURN, WIDE_SPREAD_FACTOR, WIDE_SPREAD_MIN_FRACTION,
} from './thresholds.ts';
import { formatDuration, formatInstant } from './time-format.ts';

/**
 * Semantic checks on a series of market events, from a file or built in memory. Fatal: non-positive or
 * non-finite prices, negative volume/size, high < low, timestamps going backwards. Warnings: duplicate
 * timestamps, other OHLC inconsistencies, gaps, outlier jumps, suspected unadjusted splits, crossed or
 * abnormally wide quotes. Nothing is repaired here; the loader decides what to keep.
 */

export interface SeriesValidationOptions {
  /** File line of each event, for messages; default `index + 2` (as if read from a file with a header). */
  readonly lines?: readonly number[];
  /** The spacing the data should have; a different measured median is reported, and gaps use this. */
  readonly expectedIntervalMs?: number;
  /** Zone whose calendar days bound trading days in the gap check (default UTC). */
  readonly timeZone?: string;
  /** Layout name to put in the report (default `memory`). */
  readonly layout?: string;
}

/** What the checks leave for the loader: the events to keep (indexes, ascending) and the median spacing. */
export interface SeriesFacts {
  readonly kept: number[];
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
  const facts = checkBars(bars, linesOf(bars, opts), log, opts);
  return buildReport('bars', opts.layout ?? 'memory', bars.length, bars, facts, log);
}

/** Validate trade ticks in memory. @example validateTrades(trades).warnings */
export function validateTrades(trades: readonly TradeTick[], opts: SeriesValidationOptions = {}): ValidationReport {
  const log = new IssueLog();
  const facts = checkTrades(trades, linesOf(trades, opts), log, opts);
  return buildReport('trades', opts.layout ?? 'memory', trades.length, trades, facts, log);
}

/** Validate quotes in memory. @example validateQuotes(quotes).errors */
export function validateQuotes(quotes: readonly Quote[], opts: SeriesValidationOptions = {}): ValidationReport {
  const log = new IssueLog();
  const facts = checkQuotes(quotes, linesOf(quotes, opts), log, opts);
  return buildReport('quotes', opts.layout ?? 'memory', quotes.length, quotes, facts, log);
}

/** Bar checks; returns the bars to keep (first of each timestamp, valid, in order). */
export function checkBars(bars: readonly Bar[], lines: readonly number[], log: IssueLog, opts: SeriesValidationOptions): SeriesFacts {
  const valid = bars.map((b, i) => {
    const line = lines[i];
    // Evaluate every check (no short-circuit) so validation lists all problems of a row.
    let ok = positive(log, line, 'open', b.open);
    ok = positive(log, line, 'high', b.high) && ok;
    ok = positive(log, line, 'low', b.low) && ok;
    ok = positive(log, line, 'close', b.close) && ok;
    ok = notNegative(log, line, 'volume', b.volume, 'NEGATIVE_VOLUME') && ok;
    if (!ok) return false;
    if (b.high < b.low) {
      log.error({ code: 'HIGH_BELOW_LOW', line, field: 'high', value: String(b.high), message: `is below low ${b.low}` });
      return false;
    }
    // Warnings only: some vendors compute high/low from trades but open/close from auctions or quotes.
    if (b.high < Math.max(b.open, b.close)) {
      log.warn({ code: 'HIGH_BELOW_OPEN_CLOSE', line, field: 'high', value: String(b.high), message: `is below max(open ${b.open}, close ${b.close})` });
    }
    if (b.low > Math.min(b.open, b.close)) {
      log.warn({ code: 'LOW_ABOVE_OPEN_CLOSE', line, field: 'low', value: String(b.low), message: `is above min(open ${b.open}, close ${b.close})` });
    }
    return true;
  });
  const kept = checkTimestamps(bars, lines, valid, log, 'bars');
  const keptBars = kept.map((i) => bars[i]);
  const keptLines = kept.map((i) => lines[i]);
  const intervalMs = checkSpacing(keptBars, keptLines, log, opts);
  const splits = findSplits(keptBars, keptLines);
  for (const issue of splits) log.warn(issue);
  const splitLines = new Set(splits.map((s) => s.line));
  for (const issue of findJumps(keptBars.map((b) => b.close), keptLines, 'close', OUTLIER_MIN_ABS_LOG_RETURN, splitLines)) log.warn(issue);
  return { kept, intervalMs };
}

/** Trade checks; ticks sharing a timestamp are all kept (several prints per millisecond are normal). */
export function checkTrades(trades: readonly TradeTick[], lines: readonly number[], log: IssueLog, opts: SeriesValidationOptions): SeriesFacts {
  const valid = trades.map((t, i) => {
    const ok = positive(log, lines[i], 'price', t.price);
    return notNegative(log, lines[i], 'size', t.size, 'NEGATIVE_SIZE') && ok;
  });
  const kept = checkTimestamps(trades, lines, valid, log, 'ticks');
  const keptLines = kept.map((i) => lines[i]);
  const intervalMs = intervalOf(kept.map((i) => trades[i].ts), opts, log);
  for (const issue of findJumps(kept.map((i) => trades[i].price), keptLines, 'price', TICK_OUTLIER_MIN_ABS_LOG_RETURN)) log.warn(issue);
  return { kept, intervalMs };
}

/** Quote checks: crossed (bid > ask) and abnormally wide quotes are warnings. */
export function checkQuotes(quotes: readonly Quote[], lines: readonly number[], log: IssueLog, opts: SeriesValidationOptions): SeriesFacts {
  const valid = quotes.map((q, i) => {
    const line = lines[i];
    let ok = positive(log, line, 'bid', q.bid);
    ok = positive(log, line, 'ask', q.ask) && ok;
    ok = notNegative(log, line, 'bidSize', q.bidSize, 'NEGATIVE_SIZE') && ok;
    ok = notNegative(log, line, 'askSize', q.askSize, 'NEGATIVE_SIZE') && ok;
    if (ok && q.bid > q.ask) log.warn({ code: 'CROSSED_QUOTE', line, field: 'bid', value: String(q.bid), message: `is above ask ${q.ask}` });
    return ok;
  });
  const kept = checkTimestamps(quotes, lines, valid, log, 'ticks');
  const keptQuotes = kept.map((i) => quotes[i]);
  const keptLines = kept.map((i) => lines[i]);
  const intervalMs = intervalOf(keptQuotes.map((q) => q.ts), opts, log);
  const typicalSpread = median(keptQuotes.map((q) => q.ask - q.bid));
  keptQuotes.forEach((q, i) => {
    const spread = q.ask - q.bid;
    const mid = (q.ask + q.bid) / 2;
    if (spread > WIDE_SPREAD_FACTOR * typicalSpread && spread > WIDE_SPREAD_MIN_FRACTION * mid) {
      log.warn({
        code: 'WIDE_SPREAD', line: keptLines[i], field: 'ask', value: String(q.ask),
        message: `spread ${roundTo(spread)} (${((spread / mid) * 100).toFixed(1)}% of mid) is ${Math.round(spread / typicalSpread)}x the median spread ${roundTo(typicalSpread)}`,
      });
    }
  });
  for (const issue of findJumps(keptQuotes.map((q) => (q.bid + q.ask) / 2), keptLines, 'mid', TICK_OUTLIER_MIN_ABS_LOG_RETURN)) log.warn(issue);
  return { kept, intervalMs };
}

/**
 * Order and duplicates. Backwards time is fatal (sorting could hide a file spliced from two sources).
 * Bars: a repeated timestamp is a warning and only the first is kept. Ticks: all are kept; only a tick
 * identical to the one before is reported (a feed delivered twice).
 */
function checkTimestamps(
  events: readonly (Bar | TradeTick | Quote)[], lines: readonly number[], valid: readonly boolean[], log: IssueLog, mode: 'bars' | 'ticks',
): number[] {
  const kept: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!Number.isFinite(e.ts)) {
      log.error({ code: 'BAD_TIMESTAMP', line: lines[i], field: 'time', value: String(e.ts), message: 'is not a finite epoch ms' });
      continue;
    }
    if (!valid[i]) continue;
    const last = kept.length > 0 ? kept[kept.length - 1] : -1;
    if (last >= 0 && e.ts < events[last].ts) {
      log.error({
        code: 'OUT_OF_ORDER', line: lines[i], field: 'time', value: formatInstant(e.ts),
        message: `is earlier than line ${lines[last]} (${formatInstant(events[last].ts)}); sort the file by time`,
      });
      continue;
    }
    if (last >= 0 && e.ts === events[last].ts) {
      if (mode === 'bars') {
        log.warn({ code: 'DUPLICATE_TIMESTAMP', line: lines[i], field: 'time', value: formatInstant(e.ts), message: `repeats line ${lines[last]}; the first is kept` });
        continue;
      }
      if (sameTick(e, events[last])) {
        log.warn({ code: 'DUPLICATE_TICK', line: lines[i], field: 'time', value: formatInstant(e.ts), message: `is identical to line ${lines[last]} (kept: it may be a second real print)` });
      }
    }
    kept.push(i);
  }
  return kept;
}

function sameTick(a: Bar | TradeTick | Quote, b: Bar | TradeTick | Quote): boolean {
  if (a.type === 'trade' && b.type === 'trade') return a.price === b.price && a.size === b.size;
  if (a.type === 'quote' && b.type === 'quote') return a.bid === b.bid && a.ask === b.ask && a.bidSize === b.bidSize && a.askSize === b.askSize;
  return false;
}

function checkSpacing(bars: readonly Bar[], lines: readonly number[], log: IssueLog, opts: SeriesValidationOptions): number {
  const intervalMs = intervalOf(bars.map((b) => b.ts), opts, log);
  const gapInterval = opts.expectedIntervalMs ?? intervalMs;
  for (const issue of findGaps(bars.map((b) => b.ts), lines, gapInterval, opts.timeZone ?? 'UTC')) log.warn(issue);
  return intervalMs;
}

/** Median spacing of increasing timestamps; reports a mismatch with `expectedIntervalMs`. */
function intervalOf(ts: readonly number[], opts: SeriesValidationOptions, log: IssueLog): number {
  const spacings: number[] = [];
  for (let i = 1; i < ts.length; i++) if (ts[i] > ts[i - 1]) spacings.push(ts[i] - ts[i - 1]);
  const intervalMs = median(spacings);
  const expected = opts.expectedIntervalMs;
  if (expected !== undefined && spacings.length > 0 && Math.abs(intervalMs - expected) > INTERVAL_MISMATCH_TOLERANCE * expected) {
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
  log.error({ code, line, field, value: String(v), message: code === 'NOT_A_NUMBER' ? 'is not a finite number' : 'must be positive' });
  return false;
}

function notNegative(log: IssueLog, line: number, field: string, v: number, code: string): boolean {
  if (v >= 0 && Number.isFinite(v)) return true;
  const finite = Number.isFinite(v);
  log.error({ code: finite ? code : 'NOT_A_NUMBER', line, field, value: String(v), message: finite ? 'must not be negative' : 'is not a finite number' });
  return false;
}

/** Assemble the report from the collected issues and the kept events. */
export function buildReport(
  kind: DataKind, layout: string, rows: number, events: readonly { ts: number }[], facts: SeriesFacts, log: IssueLog,
): ValidationReport {
  const { errors, warnings }: { errors: ValidationIssue[]; warnings: ValidationIssue[] } = log.finish();
  const { kept } = facts;
  return {
    kind, layout, rows,
    firstTs: kept.length > 0 ? events[kept[0]].ts : null,
    lastTs: kept.length > 0 ? events[kept[kept.length - 1]].ts : null,
    intervalMs: facts.intervalMs, errors, warnings,
  };
}

function linesOf(events: readonly unknown[], opts: SeriesValidationOptions): readonly number[] {
  return opts.lines ?? events.map((_, i) => i + 2);
}

function roundTo(x: number): string {
  return String(Number(x.toPrecision(6)));
}
