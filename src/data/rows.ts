import { decimalsOf, isUtcZone } from '../model/index.ts';
import type { DataField } from './columns.ts';
import { scan, scanDateTime, scanNumber, scanTimestamp } from './fast-fields.ts';
import type { IssueLog } from './issues.ts';
import type { DataKind, Layout } from './layouts.ts';
import { VALUE_FIELDS, type SeriesColumns } from './series-columns.ts';
import { readDateTimeFields, readTimestamp, type DateFormat } from './timestamps.ts';

/**
 * Data rows → columns of values. This stage checks syntax only (field count, empty fields, numbers,
 * timestamps); whether the values make sense (positive prices, order, OHLC shape) is `validate.ts`'s job, so
 * the same checks apply to series built in memory. A row with a syntax error produces no event.
 *
 * Two paths fill the same columns: `readBytes` takes a well-formed row straight from the file's bytes (plain
 * decimals, the common timestamp forms) and declines anything else without a trace; `readFields` takes any
 * row as strings and reports every problem. The loader offers each row to the first, then to the second.
 */

export interface RowContext {
  readonly layout: Layout;
  readonly timeZone: string;
  readonly dateFormat: DateFormat | undefined;
  /** Read the adjusted close column (otherwise it is ignored like any extra column). */
  readonly useAdjustedClose: boolean;
  readonly issues: IssueLog;
}

/** The series parsed from a file with the line each event came from, and facts gathered on the way. */
export interface ParsedColumns extends SeriesColumns {
  readonly lines: Int32Array;
  /** Data rows read, including those that failed. */
  readonly rows: number;
  /** Most decimals seen in any price field. */
  readonly priceDecimals: number;
  /** Bars only: every bar had open = high = low = close. */
  readonly allFlat: boolean;
  /** Some timestamp had a non-zero millisecond part. */
  readonly anySubSecond: boolean;
  /** Bars with `useAdjustedClose` only: the adjusted close of each event. */
  readonly adjClose: Float64Array | undefined;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A value read from each row: which field, at which column, and whether its decimals count as a price's. */
interface ColumnSpec {
  readonly field: DataField;
  readonly at: number;
  readonly price: boolean;
}

const PRICE_FIELDS: ReadonlySet<string> = new Set(['open', 'high', 'low', 'close', 'adjClose', 'price', 'bid', 'ask']);

/** Fast-path roles of a row's fields besides value columns (which are their spec index, >= 0). */
const SKIP = -1;
/** The whole timestamp in one field. */
const TIME = -2;
/** The date and the time of a timestamp split over two fields. */
const DATE = -3;
const TIME_OF_DAY = -4;
const QUOTE = 34;
const COMMA = 44;

/** Per-row scratch state of the string path, reused across rows. */
interface Row {
  fields: string[];
  line: number;
  ok: boolean;
}

/**
 * Fills columns from rows, one `readBytes` or `readFields` call per row, then `finish()`.
 *
 * @example
 * const rows = new RowParser(ctx, 1_000);
 * if (!rows.readBytes(buf, start, end, line)) rows.readFields(splitCsvLine(text), line);
 * const parsed = rows.finish();
 */
export class RowParser {
  readonly #ctx: RowContext;
  readonly #kind: DataKind;
  readonly #specs: readonly ColumnSpec[];
  readonly #isPrice: Uint8Array;
  readonly #scratch: Float64Array;
  readonly #row: Row = { fields: [], line: 0, ok: true };
  /** Role of each field for the byte path; undefined when the layout needs the string path for every row. */
  readonly #roles: Int8Array | undefined;
  readonly #zoneIsUtc: boolean;
  #capacity: number;
  #n = 0;
  #ts: Float64Array;
  #values: Float64Array[];
  #lines: Int32Array;
  #rows = 0;
  #priceDecimals = 0;
  #allFlat = true;
  #anySubSecond = false;

  constructor(ctx: RowContext, capacity: number) {
    this.#ctx = ctx;
    const { layout } = ctx;
    this.#kind = layout.kind;
    const ix = layout.index;
    const specs: ColumnSpec[] = VALUE_FIELDS[layout.kind].map((field) => ({ field, at: ix[field], price: PRICE_FIELDS.has(field) }));
    if (ctx.useAdjustedClose) specs.push({ field: 'adjClose', at: ix.adjClose, price: true });
    this.#specs = specs;
    this.#isPrice = Uint8Array.from(specs, (s) => (s.price ? 1 : 0));
    this.#scratch = new Float64Array(specs.length);
    this.#zoneIsUtc = isUtcZone(ctx.timeZone);
    this.#roles = fastRoles(layout, specs);
    this.#capacity = Math.max(16, capacity);
    this.#ts = new Float64Array(this.#capacity);
    this.#values = specs.map(() => new Float64Array(this.#capacity));
    this.#lines = new Int32Array(this.#capacity);
  }

  /**
   * A row straight from bytes `b[start, end)` (no line break) when every field is in a plain form; false,
   * with nothing recorded, when the row needs `readFields`.
   */
  readBytes(b: Uint8Array, start: number, end: number, line: number): boolean {
    const roles = this.#roles;
    if (roles === undefined) return false;
    const scratch = this.#scratch;
    const last = roles.length - 1;
    let decimals = this.#priceDecimals;
    let ts = NaN;
    let dateAt = -1, timeAt = -1;
    let pos = start;
    for (let f = 0; f <= last; f++) {
      const role = roles[f];
      if (role >= 0) {
        const v = scanNumber(b, pos, end);
        if (v !== v) return false;
        scratch[role] = v;
        if (this.#isPrice[role] === 1 && scan.decimals > decimals) decimals = scan.decimals;
        pos = scan.end;
      } else if (role === TIME) {
        ts = scanTimestamp(b, pos, end, this.#ctx.timeZone, this.#zoneIsUtc);
        if (ts !== ts) return false;
        pos = scan.end;
      } else {
        if (role === TIME_OF_DAY) timeAt = pos; else if (role === DATE) dateAt = pos;
        // A skipped field may hold anything but a quote, which could hide a comma from this split.
        while (pos < end && b[pos] !== COMMA) {
          if (b[pos] === QUOTE) return false;
          pos++;
        }
      }
      if (f < last) {
        if (pos >= end || b[pos] !== COMMA) return false;
        pos++;
      } else if (pos !== end) {
        return false;
      }
    }
    if (timeAt >= 0) {
      ts = scanDateTime(b, dateAt, end, timeAt, end, this.#ctx.timeZone, this.#zoneIsUtc);
      if (ts !== ts) return false;
    }
    this.#rows++;
    this.#priceDecimals = decimals;
    this.#append(ts, line);
    return true;
  }

  /** Any row, as trimmed fields; every syntax problem goes to the issue log and the row is dropped. */
  readFields(fields: string[], line: number): void {
    const ctx = this.#ctx;
    const row = this.#row;
    row.fields = fields; row.line = line; row.ok = true;
    this.#rows++;
    if (!fieldCountOk(ctx, row)) return;
    const ts = timestampOf(ctx, row);
    const specs = this.#specs;
    for (let k = 0; k < specs.length; k++) {
      const s = specs[k];
      this.#scratch[k] = s.price ? this.#price(row, s.at, s.field) : quantity(ctx, row, s.at, s.field);
    }
    if (!row.ok) return;
    this.#append(ts, line);
  }

  /** The columns, trimmed to the rows read. */
  finish(): ParsedColumns {
    const n = this.#n;
    // Give back a badly overestimated capacity; a close one is kept as a view (no copy).
    const fit = this.#capacity > n + (n >> 1) + 4096
      ? <T extends Float64Array | Int32Array>(a: T): T => a.slice(0, n) as T
      : <T extends Float64Array | Int32Array>(a: T): T => a.subarray(0, n) as T;
    const values = this.#values.map(fit);
    const kindColumns = VALUE_FIELDS[this.#kind].length;
    return {
      kind: this.#kind, length: n, ts: fit(this.#ts), values: values.slice(0, kindColumns), lines: fit(this.#lines),
      rows: this.#rows, priceDecimals: this.#priceDecimals, allFlat: this.#allFlat, anySubSecond: this.#anySubSecond,
      adjClose: values.length > kindColumns ? values[kindColumns] : undefined,
    };
  }

  #append(ts: number, line: number): void {
    if (this.#n === this.#capacity) this.#grow();
    const n = this.#n++;
    const s = this.#scratch;
    if (this.#allFlat && this.#kind === 'bars' && !(s[0] === s[1] && s[1] === s[2] && s[2] === s[3])) this.#allFlat = false;
    if (Math.floor(ts / 1000) * 1000 !== ts) this.#anySubSecond = true; // ts % 1000, without fmod
    this.#ts[n] = ts;
    const values = this.#values;
    for (let k = 0; k < values.length; k++) values[k][n] = s[k];
    this.#lines[n] = line;
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const out = make(capacity);
      out.set(a);
      return out;
    };
    this.#ts = grow(this.#ts, (c) => new Float64Array(c));
    this.#values = this.#values.map((v) => grow(v, (c) => new Float64Array(c)));
    this.#lines = grow(this.#lines, (c) => new Int32Array(c));
    this.#capacity = capacity;
  }

  /** A required price: a decimal number; its decimals feed `priceDecimals`. */
  #price(row: Row, at: number, field: DataField): number {
    const text = row.fields[at];
    const v = numberIn(this.#ctx, row, text, field);
    if (v === v) { // not NaN
      const d = text.indexOf('e') < 0 && text.indexOf('E') < 0 ? decimalsOf(text) : decimalsOf(v);
      if (d > this.#priceDecimals) this.#priceDecimals = d;
    }
    return v;
  }
}

/**
 * The byte path's role for each field, or undefined when the layout reads one column twice (a mapping can
 * ask for that) and only the string path keeps the reading order exact.
 */
function fastRoles(layout: Layout, specs: readonly ColumnSpec[]): Int8Array | undefined {
  const roles = new Int8Array(layout.fieldCount).fill(SKIP);
  const claim = (at: number, role: number): boolean => {
    if (at < 0) return true;
    if (at >= roles.length || roles[at] !== SKIP) return false;
    roles[at] = role;
    return true;
  };
  const split = layout.index.date >= 0;
  if (!claim(layout.index.time, split ? TIME_OF_DAY : TIME) || !claim(layout.index.date, DATE)) return undefined;
  // An absent optional column (volume, size) keeps the 0 its scratch slot starts with, as readFields writes.
  for (let k = 0; k < specs.length; k++) if (!claim(specs[k].at, k)) return undefined;
  return roles;
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
