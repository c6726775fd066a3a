/**
 * Market data in: CSV files of bars, trades and quotes → validated `Bar` / `TradeTick` / `Quote` series.
 * Layouts of the common exports are detected; anything else is read with a column mapping. Every problem
 * is a KeelError or a report line naming the file, the line and the field.
 */
export { loadMarketData, validateMarketData, validateFile, defaultInstrumentId } from './load.ts';
export { defaultCacheDir } from './cache/data-cache.ts';
export type { LoadOptions, LoadedData, LoadedBars, LoadedTrades, LoadedQuotes } from './load.ts';
export type { SeriesColumns } from './series-columns.ts';
export { validateBars, validateTrades, validateQuotes } from './validate.ts';
export type { SeriesValidationOptions } from './validate.ts';
export type { ValidationIssue, ValidationReport } from './issues.ts';
export { MAX_ISSUES_PER_CODE } from './issues.ts';
export { formatValidationReport, validationReportToJson, formatIssue } from './report.ts';
export type { ValidationReportJson } from './report.ts';
export { parseTimestamp, parseDateTimeFields } from './timestamps.ts';
export type { DateFormat } from './timestamps.ts';
export { wallTimeToUtc, zoneOffsetMs, assertTimeZone } from '../model/index.ts';
export { parseColumnMapping, DATA_FIELDS } from './columns.ts';
export type { ColumnMapping, DataField } from './columns.ts';
export type { DataKind, KindOption } from './layouts.ts';
export { DataFileError } from './data-error.ts';
export { splitCsvLine, CsvReader } from './csv.ts';
export { median } from './stats.ts';
export * from './thresholds.ts';
export * from './live/index.ts';
