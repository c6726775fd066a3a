import { DATA_FIELDS, HEADER_SYNONYMS, normalizeHeader, type ColumnMapping, type DataField } from './columns.ts';
import { DataFileError } from './data-error.ts';
import { parseTimestamp } from './timestamps.ts';

/**
 * Layout detection: from a file's header (and its first data row) to where each field sits. Covers the
 * common exports: Yahoo (`Date,Open,High,Low,Close,Adj Close,Volume`), pandas with an unnamed index column
 * (`,Open,High,Low,Close,Volume`), `Date` + `Time` columns, a one-column `Date` header over rows that carry
 * the date and the time as two fields (backtrader/MetaStock style), tick files (`Datetime`, `Price`, `Size`)
 * and quote files (`TIMESTAMP,BID,ASK`). A `ColumnMapping` handles anything else.
 */

export type DataKind = 'bars' | 'trades' | 'quotes';
export type KindOption = 'auto' | DataKind;

/** Where each field sits in a data row; -1 when the file has no such column. */
export interface Layout {
  /** Short name of the recognised layout, e.g. `yahoo`, `ohlcv-date-time-split`, `bid-ask`. */
  readonly name: string;
  readonly kind: DataKind;
  /** Auto-detected OHLC bars that become trades if every bar is flat and timestamps are sub-second. */
  readonly mayBeTrades: boolean;
  /** Fields every data row must have. */
  readonly fieldCount: number;
  readonly header: readonly string[];
  readonly index: Readonly<Record<DataField, number>>;
}

const TIME_OF_DAY = /^\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?$/;

/**
 * Work out the layout of a CSV file from its header and first data row.
 * Throws a DataFileError naming the file and the header when a required column cannot be found.
 *
 * @example
 * detectLayout('ORCL.csv', ['Date','Open','High','Low','Close','Adj Close','Volume'], ['1995-01-03', ...]).name; // 'yahoo'
 */
export function detectLayout(
  file: string, header: readonly string[], firstRow: readonly string[], kind: KindOption = 'auto', columns: ColumnMapping = {},
): Layout {
  if (looksLikeData(header)) {
    throw new DataFileError('NO_HEADER', `line 1 looks like data, not a header (${header.join(',')})`, {
      file, hint: 'add a header line such as Date,Open,High,Low,Close,Volume',
    });
  }
  const keys = header.map(normalizeHeader);
  const index = Object.fromEntries(DATA_FIELDS.map((f) => [f, -1])) as Record<DataField, number>;
  const taken = new Set<number>();
  for (const field of DATA_FIELDS) {
    const name = columns[field];
    if (name === undefined) continue;
    const at = keys.indexOf(normalizeHeader(name));
    if (at < 0) {
      throw new DataFileError('NO_COLUMN', `has no column "${name}" for field "${field}" (header: ${header.join(',')})`, { file });
    }
    index[field] = at;
    taken.add(at);
  }
  const find = (field: DataField): number => {
    if (index[field] >= 0) return index[field];
    for (const synonym of HEADER_SYNONYMS[field]) {
      const at = keys.indexOf(synonym);
      if (at >= 0 && !taken.has(at)) return at;
    }
    return -1;
  };

  let name: string = resolveTime(keys, index, columns, find);
  const resolved = resolveKind(kind, index, find);
  for (const f of DATA_FIELDS) if (f !== 'time' && f !== 'date') index[f] = resolved.index[f];

  let fieldCount = header.length;
  if (index.date < 0 && index.time >= 0 && firstRow.length === header.length + 1 && TIME_OF_DAY.test(firstRow[index.time + 1] ?? '')) {
    // One "Date" header over two fields (2006-01-02,09:01:00,...): every later column moves one to the right.
    const dateAt = index.time;
    for (const f of DATA_FIELDS) if (index[f] > dateAt) index[f]++;
    index.date = dateAt;
    index.time = dateAt + 1;
    fieldCount++;
    name = 'date-time-split';
  }
  requireColumns(file, header, resolved.kind, index);

  let layoutName: string;
  if (resolved.kind === 'quotes') layoutName = 'bid-ask';
  else if (resolved.kind === 'trades' && !resolved.fromBars) layoutName = 'trades';
  else if (index.adjClose >= 0 && name === 'time') layoutName = 'yahoo';
  else layoutName = name === 'time' ? 'ohlcv' : `ohlcv-${name}`;
  if (Object.keys(columns).length > 0) layoutName += '+columns';
  return {
    name: layoutName, kind: resolved.kind, mayBeTrades: kind === 'auto' && resolved.kind === 'bars',
    fieldCount, header, index,
  };
}

/** Sets index.time (and index.date for two columns); returns how the time was found. */
function resolveTime(
  keys: readonly string[], index: Record<DataField, number>, columns: ColumnMapping, find: (f: DataField) => number,
): 'time' | 'date-time' | 'unnamed-date' {
  if (columns.date !== undefined) {
    if (index.time < 0) index.time = keys.indexOf('time');
    return 'date-time';
  }
  if (columns.time !== undefined) return 'time';
  const date = keys.indexOf('date');
  const time = keys.indexOf('time');
  if (date >= 0 && time >= 0) {
    index.date = date;
    index.time = time;
    return 'date-time';
  }
  index.time = find('time');
  if (index.time < 0 && keys[0] === '') {
    index.time = 0; // pandas writes the DatetimeIndex as an unnamed first column
    return 'unnamed-date';
  }
  return 'time';
}

function resolveKind(
  kind: KindOption, given: Record<DataField, number>, find: (f: DataField) => number,
): { kind: DataKind; fromBars: boolean; index: Record<DataField, number> } {
  const index = { ...given };
  const bid = find('bid');
  const ask = find('ask');
  const hasOhlc = ['open', 'high', 'low', 'close'].every((f) => find(f as DataField) >= 0);
  if (kind === 'quotes' || (kind === 'auto' && bid >= 0 && ask >= 0)) {
    Object.assign(index, { bid, ask, bidSize: find('bidSize'), askSize: find('askSize') });
    return { kind: 'quotes', fromBars: false, index };
  }
  const price = find('price');
  if (kind === 'trades' || (kind === 'auto' && price >= 0 && !hasOhlc)) {
    const size = find('size');
    const fromBars = price < 0;
    Object.assign(index, { price: fromBars ? find('close') : price, size: size >= 0 ? size : find('volume') });
    return { kind: 'trades', fromBars, index };
  }
  Object.assign(index, {
    open: find('open'), high: find('high'), low: find('low'), close: find('close'), volume: find('volume'), adjClose: find('adjClose'),
  });
  return { kind: 'bars', fromBars: false, index };
}

const REQUIRED: Readonly<Record<DataKind, readonly DataField[]>> = {
  bars: ['time', 'open', 'high', 'low', 'close'],
  trades: ['time', 'price'],
  quotes: ['time', 'bid', 'ask'],
};

function requireColumns(file: string, header: readonly string[], kind: DataKind, index: Record<DataField, number>): void {
  for (const field of REQUIRED[kind]) {
    if (index[field] >= 0) continue;
    const example = REQUIRED[kind].map((f) => `${f}=<column>`).join(',');
    throw new DataFileError('NO_COLUMN', `no ${field} column for ${kind} (header: ${header.join(',')})`, {
      file, hint: `pass --columns ${example}`,
    });
  }
}

/** A first line whose first field is a timestamp is data: the file has no header. */
function looksLikeData(header: readonly string[]): boolean {
  try {
    parseTimestamp(header[0] ?? '');
    return true;
  } catch {
    return false;
  }
}
