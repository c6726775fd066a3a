import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Bar, Quote, TradeTick } from '../model/index.ts';
import type { ColumnMapping } from './columns.ts';
import { CsvReader } from './csv.ts';
import { DataFileError } from './data-error.ts';
import { IssueLog, type ValidationReport } from './issues.ts';
import { detectLayout, type KindOption, type Layout } from './layouts.ts';
import { parseBarRows, parseQuoteRows, parseTradeRows, type ParsedRows, type RowContext } from './rows.ts';
import { assertTimeZone } from '../model/index.ts';
import type { DateFormat } from './timestamps.ts';
import { buildReport, checkBars, checkQuotes, checkTrades, type SeriesValidationOptions } from './validate.ts';

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
  const csv = new CsvReader(readText(path));
  const header = csv.next();
  if (header === undefined) throw new DataFileError('EMPTY_FILE', 'file is empty', { file: path });
  const headerLine = csv.line;
  const first = csv.next();
  if (first === undefined) {
    throw new DataFileError('NO_DATA_ROWS', `has a header (line ${headerLine}) but no data rows`, { file: path });
  }
  const layout = detectLayout(path, header, first, opts.kind ?? 'auto', opts.columns ?? {});
  if (opts.useAdjustedClose && (layout.kind !== 'bars' || layout.index.adjClose < 0)) {
    throw new DataFileError('NO_COLUMN', `useAdjustedClose needs an adjusted close column (header: ${header.join(',')})`, {
      file: path, hint: 'pass --columns adjClose=<column>, or load unadjusted prices',
    });
  }
  const log = new IssueLog();
  const ctx: RowContext = {
    layout, instrumentId: opts.instrumentId ?? defaultInstrumentId(path), timeZone, dateFormat: opts.dateFormat,
    useAdjustedClose: opts.useAdjustedClose === true, issues: log,
  };
  const series: SeriesValidationOptions = { timeZone, layout: layout.name, ...(opts.expectedIntervalMs !== undefined ? { expectedIntervalMs: opts.expectedIntervalMs } : {}) };
  const common = { instrumentId: ctx.instrumentId, layout: layout.name };

  if (layout.kind === 'quotes') {
    const parsed = parseQuoteRows(csv, ctx, first);
    const facts = checkQuotes(parsed.events, parsed.lines, log, series);
    const report = buildReport('quotes', layout.name, parsed.rows, parsed.events, facts, log);
    const data: LoadedQuotes = { kind: 'quotes', ...common, quotes: parsed.events, priceDecimals: parsed.priceDecimals, intervalMs: facts.intervalMs, report };
    return { data, report, errorCount: log.errorCount };
  }
  if (layout.kind === 'trades') return asTrades(parseTradeRows(csv, ctx, first), layout, common, log, series);

  const parsed = parseBarRows(csv, ctx, first);
  if (ctx.useAdjustedClose) adjustBars(parsed);
  // Tick files exported as one-print "bars" (O=H=L=C, millisecond stamps) are trades, not 1-tick bars.
  if (layout.mayBeTrades && parsed.events.length > 0 && parsed.allFlat && parsed.anySubSecond) {
    return asTrades(barsToTrades(parsed), layout, common, log, series);
  }
  const facts = checkBars(parsed.events, parsed.lines, log, series);
  const report = buildReport('bars', layout.name, parsed.rows, parsed.events, facts, log);
  const bars = facts.kept.length === parsed.events.length ? parsed.events : facts.kept.map((i) => parsed.events[i]);
  const data: LoadedBars = { kind: 'bars', ...common, bars, priceDecimals: parsed.priceDecimals, intervalMs: facts.intervalMs, report };
  return { data, report, errorCount: log.errorCount };
}

function asTrades(
  parsed: ParsedRows<TradeTick>, layout: Layout, common: { instrumentId: string; layout: string }, log: IssueLog, series: SeriesValidationOptions,
): { data: LoadedData; report: ValidationReport; errorCount: number } {
  const facts = checkTrades(parsed.events, parsed.lines, log, series);
  const report = buildReport('trades', layout.name, parsed.rows, parsed.events, facts, log);
  const data: LoadedTrades = { kind: 'trades', ...common, trades: parsed.events, priceDecimals: parsed.priceDecimals, intervalMs: facts.intervalMs, report };
  return { data, report, errorCount: log.errorCount };
}

function barsToTrades(parsed: ParsedRows<Bar>): ParsedRows<TradeTick> {
  const events = parsed.events.map((b): TradeTick => ({ type: 'trade', instrumentId: b.instrumentId, ts: b.ts, price: b.close, size: b.volume }));
  return { ...parsed, events };
}

/**
 * Scale each bar's prices by AdjClose/Close so the series is continuous across dividends and splits.
 * Results are rounded to the file's price decimals so `priceDecimals` still describes every price.
 */
function adjustBars(parsed: ParsedRows<Bar>): void {
  const scale = 10 ** parsed.priceDecimals;
  const round = (x: number): number => Math.round(x * scale) / scale;
  parsed.events.forEach((b, i) => {
    const adj = parsed.adjClose[i];
    const f = adj / b.close;
    parsed.events[i] = { ...b, open: round(b.open * f), high: round(b.high * f), low: round(b.low * f), close: adj };
  });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError('DATA_FILE_NOT_FOUND', 'file not found', { file: path, hint: `looked for ${resolve(path)}` });
    if (code === 'EISDIR') throw new DataFileError('DATA_FILE_NOT_FOUND', 'is a directory, not a data file', { file: path });
    if (code === 'EACCES' || code === 'EPERM') throw new DataFileError('DATA_FILE_UNREADABLE', 'cannot be read (permission denied)', { file: path });
    throw e;
  }
}
