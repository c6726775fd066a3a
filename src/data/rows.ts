import { decimalsOf, type Bar, type Quote, type TradeTick } from '../model/index.ts';
import type { CsvReader } from './csv.ts';
import type { DataField } from './columns.ts';
import type { IssueLog } from './issues.ts';
import type { Layout } from './layouts.ts';
import { readDateTimeFields, readTimestamp, type DateFormat } from './timestamps.ts';

/**
 * Data rows → market events. This stage checks syntax only (field count, empty fields, numbers,
 * timestamps); whether the values make sense (positive prices, order, OHLC shape) is `validate.ts`'s job, so
 * the same checks apply to series built in memory. A row with a syntax error produces no event.
 */

export interface RowContext {
  readonly layout: Layout;
  readonly instrumentId: string;
  readonly timeZone: string;
  readonly dateFormat: DateFormat | undefined;
  /** Read the adjusted close column (otherwise it is ignored like any extra column). */
  readonly useAdjustedClose: boolean;
  readonly issues: IssueLog;
}

/** Events parsed from a file with the line each came from, and facts gathered on the way. */
export interface ParsedRows<E> {
  readonly events: E[];
  readonly lines: number[];
  /** Data rows read, including those that failed. */
  rows: number;
  /** Most decimals seen in any price field. */
  priceDecimals: number;
  /** Bars only: every bar had open = high = low = close. */
  allFlat: boolean;
  /** Some timestamp had a non-zero millisecond part. */
  anySubSecond: boolean;
  /** Bars with `useAdjustedClose` only: the adjusted close of each event. */
  readonly adjClose: number[];
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Per-row scratch state, reused across rows so the loop allocates nothing but the events. */
interface Row {
  fields: string[];
  line: number;
  ok: boolean;
}

function newParsed<E>(): ParsedRows<E> {
  return { events: [], lines: [], rows: 0, priceDecimals: 0, allFlat: true, anySubSecond: false, adjClose: [] };
}

/**
 * The loop every parser shares: for each remaining record, check the field count, read the timestamp, let
 * `read` parse the row's fields into an event (or report problems on `row` and return undefined), and keep
 * the event with its line number when the row was clean.
 */
function parseRows<E extends { ts: number }>(
  csv: CsvReader, ctx: RowContext, firstRow: string[], read: (row: Row, ts: number, out: ParsedRows<E>) => E | undefined,
): ParsedRows<E> {
  const out = newParsed<E>();
  const row: Row = { fields: firstRow, line: csv.line, ok: true };
  for (let fields: string[] | undefined = firstRow; fields; fields = csv.next()) {
    row.fields = fields; row.line = csv.line; row.ok = true;
    out.rows++;
    if (!fieldCountOk(ctx, row)) continue;
    const ts = timestampOf(ctx, row);
    const event = read(row, ts, out);
    if (!row.ok || event === undefined) continue;
    if (ts % 1000 !== 0) out.anySubSecond = true;
    out.events.push(event);
    out.lines.push(row.line);
  }
  return out;
}

/** Read every remaining record of `csv` as a bar. */
export function parseBarRows(csv: CsvReader, ctx: RowContext, firstRow: string[]): ParsedRows<Bar> {
  const ix = ctx.layout.index;
  const adjAt = ctx.useAdjustedClose ? ix.adjClose : -1;
  return parseRows<Bar>(csv, ctx, firstRow, (row, ts, out) => {
    const open = price(ctx, row, ix.open, 'open', out);
    const high = price(ctx, row, ix.high, 'high', out);
    const low = price(ctx, row, ix.low, 'low', out);
    const close = price(ctx, row, ix.close, 'close', out);
    const volume = quantity(ctx, row, ix.volume, 'volume');
    const adj = adjAt >= 0 ? price(ctx, row, adjAt, 'adjClose', out) : NaN;
    if (!row.ok) return undefined;
    if (out.allFlat && !(open === high && high === low && low === close)) out.allFlat = false;
    if (adjAt >= 0) out.adjClose.push(adj);
    return { type: 'bar', instrumentId: ctx.instrumentId, ts, open, high, low, close, volume };
  });
}

/** Read every remaining record of `csv` as a trade. */
export function parseTradeRows(csv: CsvReader, ctx: RowContext, firstRow: string[]): ParsedRows<TradeTick> {
  const ix = ctx.layout.index;
  return parseRows<TradeTick>(csv, ctx, firstRow, (row, ts, out) => {
    const p = price(ctx, row, ix.price, 'price', out);
    const size = quantity(ctx, row, ix.size, 'size');
    return { type: 'trade', instrumentId: ctx.instrumentId, ts, price: p, size };
  });
}

/** Read every remaining record of `csv` as a quote. */
export function parseQuoteRows(csv: CsvReader, ctx: RowContext, firstRow: string[]): ParsedRows<Quote> {
  const ix = ctx.layout.index;
  return parseRows<Quote>(csv, ctx, firstRow, (row, ts, out) => {
    const bid = price(ctx, row, ix.bid, 'bid', out);
    const ask = price(ctx, row, ix.ask, 'ask', out);
    const bidSize = quantity(ctx, row, ix.bidSize, 'bidSize');
    const askSize = quantity(ctx, row, ix.askSize, 'askSize');
    return { type: 'quote', instrumentId: ctx.instrumentId, ts, bid, ask, bidSize, askSize };
  });
}

function fieldCountOk(ctx: RowContext, row: Row): boolean {
  const expected = ctx.layout.fieldCount;
  if (row.fields.length === expected) return true;
  const split = ctx.layout.name.includes('date-time-split') ? ' (date and time count as two)' : '';
  ctx.issues.error({
    code: 'WRONG_FIELD_COUNT', line: row.line,
    message: `has ${row.fields.length} fields, expected ${expected}${split} as in the header (${ctx.layout.header.join(',')})`,
  });
  return false;
}

function timestampOf(ctx: RowContext, row: Row): number {
  const ix = ctx.layout.index;
  const f = row.fields;
  const r = ix.date >= 0
    ? readDateTimeFields(f[ix.date], f[ix.time], ctx.timeZone, ctx.dateFormat)
    : readTimestamp(f[ix.time], ctx.timeZone, ctx.dateFormat);
  if (typeof r === 'number') return r;
  row.ok = false;
  const value = ix.date >= 0 && r.field === 'date' ? f[ix.date] : f[ix.time];
  const empty = value.trim() === '';
  ctx.issues.error({
    code: empty ? 'MISSING_FIELD' : 'BAD_TIMESTAMP', line: row.line, field: r.field,
    ...(empty ? {} : { value }),
    message: empty ? 'is empty' : r.hint ? `${r.reason}; ${r.hint}` : r.reason,
  });
  return NaN;
}

/** A required price: a decimal number; its decimals feed `priceDecimals`. */
function price(ctx: RowContext, row: Row, at: number, field: DataField, out: { priceDecimals: number }): number {
  const text = row.fields[at];
  const v = numberIn(ctx, row, text, field);
  if (v === v) { // not NaN
    const d = text.indexOf('e') < 0 && text.indexOf('E') < 0 ? decimalsOf(text) : decimalsOf(v);
    if (d > out.priceDecimals) out.priceDecimals = d;
  }
  return v;
}

/** An optional quantity (volume, size): 0 when the file has no such column. */
function quantity(ctx: RowContext, row: Row, at: number, field: DataField): number {
  return at < 0 ? 0 : numberIn(ctx, row, row.fields[at], field);
}

function numberIn(ctx: RowContext, row: Row, text: string, field: DataField): number {
  if (text === '') {
    row.ok = false;
    ctx.issues.error({ code: 'MISSING_FIELD', line: row.line, field, message: 'is empty' });
    return NaN;
  }
  // Number() alone would accept '0x1F', 'Infinity' and ' '; market data is plain decimals.
  if (!NUMBER.test(text)) {
    row.ok = false;
    ctx.issues.error({ code: 'NOT_A_NUMBER', line: row.line, field, value: text, message: 'is not a number' });
    return NaN;
  }
  return Number(text);
}
