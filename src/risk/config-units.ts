import { assertTimeZone, numberToPlainString, parseMoney, MONEY_DECIMALS, type BreakerAction, type Money } from '../model/index.ts';
import type { Weekday } from './config.ts';

/**
 * The units a trader writes in the risk config, each parsed by one function that returns the value or a
 * problem in words ("must be a percent above 0 and at most 100"). They never throw: the schema turns a
 * problem into a config error naming the key and line (`config-file.ts`).
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

export interface Problem {
  /** What is allowed, phrased to follow "field = value: " */
  readonly message: string;
  readonly hint?: string;
  /** Where inside the value the problem is (an element of a list), relative to the key. */
  readonly at?: readonly (string | number)[];
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string, hint?: string, at?: readonly (string | number)[]): Parsed<never> =>
  ({ ok: false, problem: { message, ...(hint ? { hint } : {}), ...(at ? { at } : {}) } });

/** Decimal text as the money and quantity parsers accept it: no exponent, no separators. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * A YAML number as exact decimal text. A double keeps any decimal of up to 15 significant digits exactly
 * (its shortest printout is what was written); past that the number in memory may not be what the trader
 * typed, so we refuse to guess and ask for a quoted string.
 */
function numberAsDecimal(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  const s = numberToPlainString(x);
  const significant = s.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return significant.length <= 15 ? s : undefined;
}

/** Number or string → decimal text, or a problem. `what` starts the message ("an amount of 0 or more"). */
function decimalText(v: unknown, what: string, example: string): Parsed<string> {
  const message = `must be ${what}, as a number or a decimal string such as "${example}"`;
  if (typeof v === 'number') {
    const s = numberAsDecimal(v);
    if (s === undefined) {
      return Number.isFinite(v) ? fail('has more digits than a YAML number keeps exactly', 'write it in quotes so every digit is kept') : fail(message);
    }
    return ok(s);
  }
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return ok(v.trim());
  return fail(message);
}

function isNegative(decimal: string): boolean {
  return decimal.startsWith('-') && /[1-9]/.test(decimal);
}

function isZero(decimal: string): boolean {
  return !/[1-9]/.test(decimal);
}

/**
 * An amount of money in the account currency, 0 or more: 50000, 2500.5 or "2500.50" → exact Money.
 *
 * @example
 * parseAmount("2500.50"); // { ok: true, value: 2_500_500_000_000_000n }
 */
export function parseAmount(v: unknown): Parsed<Money> {
  const what = 'an amount of 0 or more';
  const text = decimalText(v, what, '2500.50');
  if (!text.ok) return text;
  if (isNegative(text.value)) return fail(`must be ${what}`);
  const fraction = text.value.split('.')[1] ?? '';
  if (fraction.replace(/0+$/, '').length > MONEY_DECIMALS) return fail(`must be ${what} with at most ${MONEY_DECIMALS} decimals`);
  return ok(parseMoney(text.value, 'amount'));
}

/**
 * A quantity in instrument units, above 0, as a normalised decimal string: 100 → "100", "0.50" → "0.5".
 * It is converted to lots against the instrument when the engine starts.
 */
export function parseQuantity(v: unknown): Parsed<string> {
  const what = 'a quantity above 0';
  const text = decimalText(v, what, '0.5');
  if (!text.ok) return text;
  if (isNegative(text.value) || isZero(text.value)) return fail(`must be ${what}`);
  return ok(normaliseDecimal(text.value));
}

/** "+007.50" → "7.5": one spelling per value, so configs compare and print predictably. */
function normaliseDecimal(s: string): string {
  const body = s.replace(/^\+/, '');
  let [ip, fp = ''] = body.split('.');
  ip = ip.replace(/^0+(?=\d)/, '') || '0';
  fp = fp.replace(/0+$/, '');
  return fp ? `${ip}.${fp}` : ip;
}

/** A percent: a number above 0 and at most 100 (3 means 3 %). */
export function parsePercent(v: unknown): Parsed<number> {
  const message = 'must be a percent above 0 and at most 100';
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 100) return ok(v);
  if (typeof v === 'string' && /^\s*[\d.]+\s*%\s*$/.test(v)) return fail(message, `write ${v.replace('%', '').trim()}, without the % sign`);
  return fail(message);
}

/** A whole number of at least `min` (1 unless said otherwise). */
export function parseCount(v: unknown, min = 1): Parsed<number> {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return ok(v);
  return fail(`must be a whole number of ${min} or more`);
}

/** Leverage of a margin account: a number above 0 (1 = no leverage). */
export function parseLeverage(v: unknown): Parsed<number> {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return ok(v);
  return fail('must be a leverage above 0, such as 1 or 2.5');
}

export function parseBoolean(v: unknown): Parsed<boolean> {
  return typeof v === 'boolean' ? ok(v) : fail('must be true or false');
}

const UNIT_MS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n };

/**
 * A duration → milliseconds: "250ms", "30s", "1.5s", "5m", "1h", "1d", or a bare number of milliseconds.
 * Exact (decimal arithmetic), so "0.1s" is 100 ms, not 100.00000000000001.
 *
 * @example
 * parseDuration("5m"); // { ok: true, value: 300000 }
 */
export function parseDuration(v: unknown, options: { readonly allowZero?: boolean } = {}): Parsed<number> {
  const bound = options.allowZero ? 'of 0 or more' : 'above 0';
  const message = `must be a duration ${bound}, such as 250ms, 30s, 5m, 1h or 1d (a bare number is milliseconds)`;
  let ms: number | undefined;
  if (typeof v === 'number') {
    ms = Number.isSafeInteger(v) ? v : undefined;
  } else if (typeof v === 'string') {
    const m = /^\s*(\d+)(?:\.(\d+))?\s*(ms|s|m|h|d)?\s*$/.exec(v);
    if (m) {
      const fraction = m[2] ?? '';
      const scaled = BigInt(m[1] + fraction) * UNIT_MS[m[3] ?? 'ms'];
      const divisor = 10n ** BigInt(fraction.length);
      if (scaled % divisor !== 0n) return fail('must be a whole number of milliseconds');
      const whole = scaled / divisor;
      ms = whole <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(whole) : undefined;
    }
  }
  if (ms === undefined || ms < 0 || (ms === 0 && !options.allowZero)) return fail(message);
  return ok(ms);
}

/**
 * A local time of day "HH:MM" (00:00 to 23:59), returned zero-padded ("9:30" → "09:30"). `allowEndOfDay`
 * also accepts "24:00", which only makes sense as the exclusive end of a session running to midnight.
 */
export function parseTimeOfDay(v: unknown, options: { readonly allowEndOfDay?: boolean } = {}): Parsed<string> {
  const last = options.allowEndOfDay ? '24:00' : '23:59';
  const message = `must be a time of day "HH:MM" from 00:00 to ${last}`;
  if (typeof v !== 'string') {
    // YAML 1.1 reads an unquoted 09:30 as the base-60 number 570; say how to keep it a time.
    return fail(message, typeof v === 'number' ? 'quote it, e.g. "09:30"' : undefined);
  }
  const m = /^(\d{1,2}):(\d{2})$/.exec(v.trim());
  if (!m) return fail(message);
  const h = Number(m[1]), min = Number(m[2]);
  const valid = (h <= 23 && min <= 59) || (options.allowEndOfDay && h === 24 && min === 0);
  if (!valid) return fail(message, !options.allowEndOfDay && h === 24 && min === 0 ? '24:00 is only allowed as a session end' : undefined);
  return ok(`${m[1].padStart(2, '0')}:${m[2]}`);
}

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function weekday(v: unknown): Weekday | undefined {
  if (typeof v !== 'string') return undefined;
  const d = v.trim().toLowerCase();
  return (WEEKDAYS as readonly string[]).includes(d) ? d as Weekday : undefined;
}

/**
 * Weekdays: a list (`[mon, wed, fri]`), a range (`"mon-fri"`, or `"fri-mon"` across the weekend) or one
 * day. Returned in week order without repeats. Case is ignored.
 */
export function parseWeekdays(v: unknown): Parsed<readonly Weekday[]> {
  const message = 'must be a list of weekdays (mon, tue, wed, thu, fri, sat, sun) or a range such as "mon-fri"';
  if (typeof v === 'string') {
    const parts = v.split('-');
    const from = weekday(parts[0]);
    const to = weekday(parts[1]);
    if (parts.length === 1 && from) return ok([from]);
    if (parts.length !== 2 || !from || !to) return fail(message);
    const days: Weekday[] = [];
    for (let i = WEEKDAYS.indexOf(from); ; i = (i + 1) % 7) {
      days.push(WEEKDAYS[i]);
      if (WEEKDAYS[i] === to) break;
    }
    return ok(WEEKDAYS.filter((d) => days.includes(d)));
  }
  if (!Array.isArray(v) || v.length === 0) return fail(message);
  const seen = new Set<Weekday>();
  for (let i = 0; i < v.length; i++) {
    const d = weekday(v[i]);
    if (!d) return fail('must be a weekday: mon, tue, wed, thu, fri, sat or sun', undefined, [i]);
    if (seen.has(d)) return fail('is listed twice', undefined, [i]);
    seen.add(d);
  }
  return ok(WEEKDAYS.filter((d) => seen.has(d)));
}

/** An IANA time zone name the runtime knows ("America/New_York", "UTC"). */
export function parseTimeZone(v: unknown): Parsed<string> {
  const message = 'must be an IANA time zone such as America/New_York, Europe/London or UTC';
  if (typeof v !== 'string' || v.trim() === '') return fail(message);
  try {
    assertTimeZone(v.trim());
  } catch {
    return fail(message);
  }
  return ok(v.trim());
}

const ACTIONS: readonly BreakerAction[] = ['reduce', 'halt', 'kill'];

/** What a breaker does when it trips: reduce (REDUCING), halt (HALTED) or kill (the kill switch). */
export function parseBreakerAction(v: unknown): Parsed<BreakerAction> {
  if (typeof v === 'string' && (ACTIONS as readonly string[]).includes(v)) return ok(v as BreakerAction);
  return fail('must be one of reduce, halt, kill');
}

/** Instrument ids, as a list of non-empty strings (`[ORCL, MSFT]`). */
export function parseInstrumentIds(v: unknown): Parsed<readonly string[]> {
  if (!Array.isArray(v)) return fail('must be a list of instrument ids, such as [ORCL, MSFT]');
  for (let i = 0; i < v.length; i++) {
    // YAML reads an id like 1234 or true as a number or boolean; an id is text, so ask for quotes.
    if (typeof v[i] !== 'string') return fail('must be an instrument id', 'quote ids that YAML reads as numbers or booleans', [i]);
    if (v[i].trim() === '') return fail('must be an instrument id', undefined, [i]);
  }
  return ok(v.map((s: string) => s.trim()));
}
