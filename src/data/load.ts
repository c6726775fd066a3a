import { basename } from 'node:path';
import type { MarketEventSeries } from '../kernel/index.ts';
import { assertNever, assertTimeZone, type Bar, type Quote, type TradeTick } from '../model/index.ts';
import { DataCache, type CachedMeta } from './cache/data-cache.ts';
import type { ColumnMapping } from './columns.ts';
import { DataFileError } from './data-error.ts';
import type { ValidationReport } from './issues.ts';
import type { DataKind, KindOption } from './layouts.ts';
import { parseCsvFile, type CsvParseOptions } from './read-csv.ts';
import type { ParsedColumns } from './rows.ts';
import { barsOf, eventSeries, quotesOf, tradesOf, type SeriesColumns } from './series-columns.ts';
import type { DateFormat } from './timestamps.ts';
import { buildReport, checkBars, checkQuotes, checkTrades, type SeriesFacts, type SeriesValidationOptions } from './validate.ts';

/** How to read a market data file; everything is optional for the layouts Keel recognises. */
export interface LoadOptions {
  /** Default: the file name up to the first `-` or `.`, upper-cased (`ORCL-1995-2014.csv` → `ORCL`). */
  readonly instrumentId?: string;
  /** Default `auto`: bid/ask columns → quotes; flat OHLC bars with sub-second times → trades; else bars. */
  readonly kind?: KindOption;
  /** IANA zone of timestamps that carry no offset (default UTC). */
  readonly timeZone?: string;
  /** Order of dates written with the year last (default MDY). */
  readonly dateFormat?: DateFormat;
  /** Which column holds which field, for files the detection does not understand. */
  readonly columns?: ColumnMapping;
  /** Bars: scale open/high/low/close by AdjClose/Close (dividend- and split-adjusted prices). */
  readonly useAdjustedClose?: boolean;
  /** The spacing the data should have; gaps are judged against it and a different median is reported. */
  readonly expectedIntervalMs?: number;
  /**
   * Directory of the columnar cache (see `defaultCacheDir`): the first load stores the validated columns and
   * the report there, later loads of the unchanged file with the same options read them instead of the CSV.
   * No cache when absent.
   */
  readonly cacheDir?: string;
}

interface LoadedCommon {
  readonly instrumentId: string;
  /** Detected layout name (`yahoo`, `ohlcv-unnamed-date`, `bid-ask`, …). */
  readonly layout: string;
  /** Most decimals in any price read: a tick of 10^-priceDecimals represents every price exactly. */
  readonly priceDecimals: number;
  /** Median spacing between consecutive distinct timestamps, ms. */
  readonly intervalMs: number;
  /** Warnings found while loading (errors make the loader throw). */
  readonly report: ValidationReport;
  /** Where the events came from: the CSV file, or the columnar cache of it (`LoadOptions.cacheDir`). */
  readonly from: 'csv' | 'cache';
  /**
   * The same events as `bars` / `trades` / `quotes`, made one at a time from the loaded columns (`columns`):
   * what a backtest runs (`runBacktest({ events })`) without building the array.
   */
  readonly events: MarketEventSeries & { readonly columns: SeriesColumns };
}
export interface LoadedBars extends LoadedCommon { readonly kind: 'bars'; readonly bars: Bar[] }
export interface LoadedTrades extends LoadedCommon { readonly kind: 'trades'; readonly trades: TradeTick[] }
export interface LoadedQuotes extends LoadedCommon { readonly kind: 'quotes'; readonly quotes: Quote[] }
export type LoadedData = LoadedBars | LoadedTrades | LoadedQuotes;

/**
 * Load a CSV file of bars, trades or quotes, detecting its layout, and validate it. Throws one
 * DataFileError (a KeelError) for the first fatal problem, e.g.
 * `data/x.csv:12: field "close" = "abc": is not a number`; warnings are in `report`. Bars sharing a
 * timestamp keep the first; ticks sharing one are all kept.
 *
 * @example
 * const data = loadMarketData('../shared/data/daily/ORCL-1995-2014.csv');
 * if (data.kind === 'bars') console.log(data.bars.length, data.priceDecimals); // 5036 6
 */
export function loadMarketData(path: string, opts: LoadOptions = {}): LoadedData {
  const { data, report, errorCount } = readMarketData(path, opts);
  const first = report.errors[0];
  if (first !== undefined) {
    const more = errorCount - 1;
    throw new DataFileError(first.code, first.message, {
      file: path, line: first.line, field: first.field, value: first.value,
      ...(more > 0 ? { hint: `${more} more error${more === 1 ? '' : 's'}; run "keel data validate ${path}" to list them` } : {}),
    });
  }
  return data;
}

/**
 * Read and check a file without stopping at the first problem: every error and warning goes into the
 * report (capped per kind of problem). Problems with the file as a whole (missing, empty, no recognisable
 * header) still throw a DataFileError.
 *
 * @example
 * const report = validateMarketData('prices.csv');
 * console.log(formatValidationReport('prices.csv', report));
 */
export function validateMarketData(path: string, opts: LoadOptions = {}): ValidationReport {
  return readMarketData(path, opts).report;
}

/** Alias of `validateMarketData`, the name `keel data validate` uses. @example validateFile('prices.csv').errors */
export const validateFile = validateMarketData;

/**
 * The instrument id Keel assumes for a file: its name up to the first `-` or `.`, upper-cased.
 *
 * @example
 * defaultInstrumentId('data/ORCL-1995-2014.csv'); // 'ORCL'
 */
export function defaultInstrumentId(path: string): string {
  const base = basename(path);
  const stem = /^[^-.]+/.exec(base)?.[0] ?? base;
  return (stem || base || 'UNKNOWN').toUpperCase();
}

function readMarketData(path: string, opts: LoadOptions): { data: LoadedData; report: ValidationReport; errorCount: number } {
  const timeZone = opts.timeZone ?? 'UTC';
  assertTimeZone(timeZone);
  const instrumentId = opts.instrumentId ?? defaultInstrumentId(path);
  const parseOptions: CsvParseOptions = {
    kind: opts.kind ?? 'auto', columns: opts.columns ?? {}, timeZone, dateFormat: opts.dateFormat, useAdjustedClose: opts.useAdjustedClose === true,
  };
  const cache = opts.cacheDir === undefined ? undefined
    : DataCache.entry(opts.cacheDir, path, { ...parseOptions, expectedIntervalMs: opts.expectedIntervalMs });
  const hit = cache?.read();
  if (hit !== undefined) return { data: loaded(hit.series, hit.meta, instrumentId, 'cache'), report: hit.meta.report, errorCount: 0 };

  const { layout, parsed, log } = parseCsvFile(path, parseOptions);
  const series: SeriesValidationOptions = { timeZone, layout: layout.name, ...(opts.expectedIntervalMs !== undefined ? { expectedIntervalMs: opts.expectedIntervalMs } : {}) };
  let facts: SeriesFacts;
  let kind: DataKind = layout.kind;
  if (layout.kind === 'quotes') {
    facts = checkQuotes(parsed, parsed.lines, log, series);
  } else if (layout.kind === 'trades') {
    facts = checkTrades(parsed, parsed.lines, log, series);
  } else {
    if (parseOptions.useAdjustedClose) adjustBars(parsed);
    // Tick files exported as one-print "bars" (O=H=L=C, millisecond stamps) are trades, not 1-tick bars.
    if (layout.mayBeTrades && parsed.length > 0 && parsed.allFlat && parsed.anySubSecond) {
      kind = 'trades';
      const [, , , close, volume] = parsed.values;
      facts = checkTrades({ kind, length: parsed.length, ts: parsed.ts, values: [close, volume] }, parsed.lines, log, series);
    } else {
      facts = checkBars(parsed, parsed.lines, log, series);
    }
  }
  const errorCount = log.errorCount;
  const report = buildReport(kind, layout.name, parsed.rows, facts, log);
  const meta: CachedMeta = { layout: layout.name, priceDecimals: parsed.priceDecimals, intervalMs: facts.intervalMs, report };
  if (errorCount === 0) cache?.write(facts.series, meta);
  return { data: loaded(facts.series, meta, instrumentId, 'csv'), report, errorCount };
}

/** The loaded data; the event array is built on first use (a backtest runs `events` and never needs it). */
function loaded(series: SeriesColumns, meta: CachedMeta, instrumentId: string, from: 'csv' | 'cache'): LoadedData {
  const common = {
    instrumentId, layout: meta.layout, priceDecimals: meta.priceDecimals, intervalMs: meta.intervalMs, report: meta.report, from,
    events: eventSeries(series, instrumentId),
  };
  switch (series.kind) {
    case 'bars': {
      let bars: Bar[] | undefined;
      return { kind: 'bars', ...common, get bars() { return (bars ??= barsOf(series, instrumentId)); } };
    }
    case 'trades': {
      let trades: TradeTick[] | undefined;
      return { kind: 'trades', ...common, get trades() { return (trades ??= tradesOf(series, instrumentId)); } };
    }
    case 'quotes': {
      let quotes: Quote[] | undefined;
      return { kind: 'quotes', ...common, get quotes() { return (quotes ??= quotesOf(series, instrumentId)); } };
    }
    default: return assertNever(series.kind, 'data kind');
  }
}

/**
 * Scale each bar's prices by AdjClose/Close so the series is continuous across dividends and splits.
 * Results are rounded to the file's price decimals so `priceDecimals` still describes every price.
 */
function adjustBars(parsed: ParsedColumns): void {
  const scale = 10 ** parsed.priceDecimals;
  const round = (x: number): number => Math.round(x * scale) / scale;
  const [open, high, low, close] = parsed.values;
  const adj = parsed.adjClose!;
  for (let i = 0; i < parsed.length; i++) {
    const f = adj[i] / close[i];
    open[i] = round(open[i] * f);
    high[i] = round(high[i] * f);
    low[i] = round(low[i] * f);
    close[i] = adj[i];
  }
}
