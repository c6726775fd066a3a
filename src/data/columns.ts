import { KeelError } from '../model/index.ts';

/**
 * The fields Keel reads from a market data file, and the header names it recognises for each. Matching is
 * case-insensitive and ignores spaces, `_`, `-`, `<` and `>` (so `Adj Close`, `adj_close` and `<CLOSE>` work).
 */

/** A field Keel reads. `date` + `time` is the two-column form of one timestamp. */
export type DataField =
  | 'time' | 'date' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'adjClose'
  | 'price' | 'size' | 'bid' | 'ask' | 'bidSize' | 'askSize';

/**
 * Which header column holds which field, e.g. `{ time: 'Date', close: 'Last' }`. Names match the header
 * case-insensitively; `''` names an unnamed column. Fields left out are found by their usual names.
 */
export type ColumnMapping = Partial<Record<DataField, string>>;

export const DATA_FIELDS: readonly DataField[] = [
  'time', 'date', 'open', 'high', 'low', 'close', 'volume', 'adjClose', 'price', 'size', 'bid', 'ask', 'bidSize', 'askSize',
];

/** Usual header names per field, normalised (see `normalizeHeader`), most specific first. */
export const HEADER_SYNONYMS: Readonly<Record<DataField, readonly string[]>> = {
  time: ['datetime', 'timestamp', 'date', 'time', 'gmttime', 'utctime', 'localtime', 'dt', 'ts'],
  date: ['date', 'day'],
  open: ['open', 'o', 'openprice'],
  high: ['high', 'h', 'highprice'],
  low: ['low', 'l', 'lowprice'],
  close: ['close', 'c', 'closeprice', 'last'],
  volume: ['volume', 'vol', 'v', 'tickvol', 'tickvolume'],
  adjClose: ['adjclose', 'adjustedclose'],
  price: ['price', 'last', 'tradeprice', 'px'],
  size: ['size', 'qty', 'quantity', 'tradesize', 'amount', 'volume', 'vol'],
  bid: ['bid', 'bidprice', 'bestbid'],
  ask: ['ask', 'askprice', 'offer', 'bestask'],
  bidSize: ['bidsize', 'bidqty', 'bidvolume', 'bidvol'],
  askSize: ['asksize', 'askqty', 'askvolume', 'askvol', 'offersize'],
};

/** Header name → comparison key: lower case, without spaces, `_`, `-`, `<`, `>`, quotes. */
export function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_\-<>"']/g, '');
}

const FIELD_BY_KEY = new Map<string, DataField>(DATA_FIELDS.map((f) => [f.toLowerCase(), f]));

/**
 * Parse the CLI's `--columns` value: comma-separated `field=Header` pairs. Field names are case-insensitive
 * (`bidsize` or `bidSize`); an empty header name (`time=`) means the unnamed column.
 *
 * @example
 * parseColumnMapping('time=Date,close=Last'); // { time: 'Date', close: 'Last' }
 */
export function parseColumnMapping(text: string): ColumnMapping {
  const mapping: ColumnMapping = {};
  const hint = `use field=Header pairs separated by commas, e.g. time=Date,close=Last; fields: ${DATA_FIELDS.join(', ')}`;
  if (text.trim() === '') throw new KeelError('BAD_COLUMN_MAPPING', 'is empty', { field: '--columns', value: text, hint });
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw new KeelError('BAD_COLUMN_MAPPING', `has "${part.trim()}" without "="`, { field: '--columns', value: text, hint });
    }
    const key = part.slice(0, eq).trim();
    const field = FIELD_BY_KEY.get(key.toLowerCase().replace(/[_-]/g, ''));
    if (!field) {
      throw new KeelError('BAD_COLUMN_MAPPING', `names an unknown field "${key}"`, { field: '--columns', value: text, hint });
    }
    if (mapping[field] !== undefined) {
      throw new KeelError('BAD_COLUMN_MAPPING', `maps "${field}" twice`, { field: '--columns', value: text, hint });
    }
    mapping[field] = part.slice(eq + 1).trim();
  }
  return mapping;
}
