/**
 * Reads an equity curve from a CSV file (a broker statement, another backtester's output, a fund's NAV
 * history) so `keel analyze` can compute the same metrics as a Keel backtest. Every problem in the file is a
 * KeelError naming the file, the line and the column, because the user has to go and fix that line.
 */
import { readFileSync } from 'node:fs';
import { assertTimeZone, DataFileError, parseTimestamp, splitCsvLine } from '../data/index.ts';
import type { DateFormat } from '../data/index.ts';
import { KeelError } from '../model/index.ts';

export interface EquityFileOptions {
  /** IANA time zone of timestamps that carry no offset; default UTC. */
  readonly timeZone?: string;
  /** Order of slash dates such as 03/02/2024 (MDY by default, DMY for most European exports). */
  readonly dateFormat?: DateFormat;
  /** Header names of the time and equity columns, matched case-insensitively. */
  readonly columns?: { readonly time?: string; readonly equity?: string };
}

export interface EquityCurveFile {
  /** Epoch ms UTC, strictly ascending. */
  readonly times: number[];
  /** Positive equity, one per time. */
  readonly equity: number[];
  /** The path the curve was read from, for the result's `data.source`. */
  readonly source: string;
}

/** Tried in order when no column is named: our own output first, then common broker and pandas exports. */
const TIME_HEADERS = ['date', 'datetime', 'timestamp', 'time'];
const EQUITY_HEADERS = ['equity', 'nav', 'balance', 'value', 'portfolio value'];
const COLUMNS_HINT = 'name the columns with --columns time=<header>,equity=<header>';

/**
 * Loads a CSV equity curve with a header row: a time column (`Date` by default) and an equity column
 * (`Equity`, `NAV`, `Balance`, `Value` or `Portfolio Value`). Errors are DataFileErrors (KeelErrors) that
 * print as `equity.csv:12: field "Equity" = "abc": is not a number (…)`.
 *
 * @example
 * const curve = loadEquityCurve('equity.csv', { timeZone: 'America/New_York', columns: { equity: 'Net Liq' } });
 * computeMetrics({ times: curve.times, equity: curve.equity, trades: [] });
 */
export function loadEquityCurve(path: string, opts: EquityFileOptions = {}): EquityCurveFile {
  const timeZone = opts.timeZone ?? 'UTC';
  assertTimeZone(timeZone);
  const lines = readText(path).split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex === -1) {
    throw new DataFileError('EMPTY_FILE', 'the file is empty', { file: path, hint: 'expected a header row such as Date,Equity and one row per point' });
  }
  const header = splitCsvLine(lines[headerIndex]);
  const timeColumn = findColumn(path, header, 'time', opts.columns?.time, TIME_HEADERS);
  const equityColumn = findColumn(path, header, 'equity', opts.columns?.equity, EQUITY_HEADERS);

  const times: number[] = [];
  const equity: number[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const at = { file: path, line: i + 1 };
    const fields = splitCsvLine(lines[i]);
    if (fields.length <= Math.max(timeColumn, equityColumn)) {
      throw new DataFileError('SHORT_ROW', `has ${fields.length} fields, the header has ${header.length}`, at);
    }
    const timeField = { ...at, field: header[timeColumn] || 'time', value: fields[timeColumn] };
    const time = readTime(fields[timeColumn], timeZone, opts.dateFormat, timeField);
    if (times.length > 0 && time <= times[times.length - 1]) {
      throw new DataFileError('TIME_NOT_ASCENDING', `is not after the previous row's ${new Date(times[times.length - 1]).toISOString()}`, {
        ...timeField,
        hint: 'rows must be in time order with no duplicate timestamps',
      });
    }
    times.push(time);
    equity.push(readEquity({ ...at, field: header[equityColumn], value: fields[equityColumn] }));
  }
  if (times.length === 0) throw new DataFileError('EMPTY_FILE', 'has a header but no data rows', { file: path });
  return { times, equity, source: path };
}

function readText(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError('FILE_NOT_FOUND', 'no such file', { file: path, hint: 'check the path, relative to the current directory' });
    throw new DataFileError('FILE_UNREADABLE', `cannot be read (${code ?? (err as Error).message})`, { file: path });
  }
  // Spreadsheet exports often start with a byte-order mark, which would otherwise stick to the first header.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Index of the column the user named, or of the first known header; an error showing the header if none. */
function findColumn(path: string, header: string[], role: 'time' | 'equity', named: string | undefined, known: string[]): number {
  const normalized = header.map((h) => h.toLowerCase());
  const wanted = named !== undefined ? [named.trim().toLowerCase()] : known;
  for (const name of wanted) {
    const index = normalized.indexOf(name);
    if (index !== -1) return index;
  }
  // pandas writes an unnamed first column for a date index (`,Equity`).
  if (role === 'time' && named === undefined && normalized[0] === '') return 0;
  const looking = named !== undefined ? `no column named "${named}"` : `no ${role} column (looked for ${known.join(', ')})`;
  throw new DataFileError('MISSING_COLUMN', `${looking}; the header is: ${header.join(',')}`, { file: path, line: 1, hint: COLUMNS_HINT });
}

type FieldAt = { file: string; line: number; field: string; value: string };

function readTime(text: string, timeZone: string, dateFormat: DateFormat | undefined, at: FieldAt): number {
  try {
    return parseTimestamp(text, timeZone, dateFormat);
  } catch (err) {
    if (!(err instanceof KeelError)) throw err;
    // Keep the parser's reason and hint, but point at the file and line.
    throw new DataFileError(err.code, reasonOf(err), { ...at, ...(err.hint ? { hint: err.hint } : {}) });
  }
}

/** The bare reason of a KeelError, without the `field = "value": ` prefix and ` (hint)` suffix it prints with. */
function reasonOf(err: KeelError): string {
  let text = err.message;
  const prefix = `${err.field} = ${JSON.stringify(String(err.value))}: `;
  if (text.startsWith(prefix)) text = text.slice(prefix.length);
  if (err.hint && text.endsWith(` (${err.hint})`)) text = text.slice(0, -err.hint.length - 3);
  return text;
}

function readEquity(at: FieldAt): number {
  const value = Number(at.value);
  if (at.value === '' || !Number.isFinite(value)) {
    throw new DataFileError('BAD_NUMBER', 'is not a number', { ...at, hint: 'write plain decimals such as 100250.5, without currency signs or thousands separators' });
  }
  if (value <= 0) {
    throw new DataFileError('NON_POSITIVE_EQUITY', 'equity must be positive', { ...at, hint: 'returns and drawdowns are ratios of equity, undefined at or below zero' });
  }
  return value;
}
