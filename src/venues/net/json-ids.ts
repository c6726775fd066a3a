/**
 * JSON from venues, with integer ids kept exact. Venues send some ids as bare integer literals (Alpaca's crypto
 * trade ids such as 7446469938634049684, exchange trade ids in ccxt feeds) that are larger than 2^53: parsed
 * as numbers they silently become a *different* id (…049684 → …049700), so two trades can share an id and a
 * dedupe drops a real fill. Here every integer literal beyond Number.MAX_SAFE_INTEGER becomes its exact
 * decimal string; everything else parses as JSON.parse would.
 */

/** A run of 16 or more digits: the only way an integer can exceed 2^53 - 1 (16 digits). */
const LONG_DIGITS = /\d{16,}/;
const INTEGER_SOURCE = /^-?\d+$/;

interface ReviverContext {
  readonly source?: string;
}

/**
 * Parse JSON text; integer literals beyond ±(2^53 - 1) come back as strings with their exact digits.
 * Throws a SyntaxError on text that is not JSON (as JSON.parse).
 *
 * @example parseJsonKeepingIds('{"i":7446469938634049684,"p":1.5}') // { i: '7446469938634049684', p: 1.5 }
 */
export function parseJsonKeepingIds(text: string): unknown {
  // Most messages hold no such literal: skip the reviver (a call per key) unless a long digit run exists.
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // The reviver's third argument (TC39 "JSON.parse source text access", Node ≥ 21) gives the literal's text,
  // so nothing is re-scanned by hand and strings that merely contain digits are left alone.
  return JSON.parse(text, function revive(this: unknown, _key: string, value: unknown, context?: ReviverContext) {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && INTEGER_SOURCE.test(context.source)) {
      return context.source;
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/**
 * An id field as a string, whatever JSON type carried it (a venue may send ids as strings or as numbers).
 *
 * @example idString(12) // "12"
 */
export function idString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw new Error(`expected an id (string or safe integer), got ${typeof value === 'number' ? 'an unsafe number' : typeof value}`);
}
