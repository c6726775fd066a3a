/**
 * JSON that carries Money: a bigint travels as `{"$n":"123"}`, so an amount of 10^-12 units never passes
 * through a float. Used by the venue protocol and the journal alike. Keys keep the order the object gave them
 * (as `JSON.stringify`), so the same value always encodes to the same text. Otherwise JSON's rules hold:
 * `undefined` properties are dropped (in arrays they become `null`), non-finite numbers become `null`,
 * `toJSON` is honoured, and a top-level `undefined` is written as `null`.
 */

const BIGINT_TAG = '$n';
/** Deeper than any event or engine snapshot; past it the value is almost surely circular. */
const MAX_DEPTH = 200;
const INTEGER = /^-?\d+$/;

/**
 * Encode a value. Throws (a bug in the caller, not bad user input) on a circular value or on an object shaped
 * exactly like the bigint tag, which could not be told apart when read back.
 *
 * @example toJson({ fee: 1_250_000_000n, side: 'buy' }) // '{"fee":{"$n":"1250000000"},"side":"buy"}'
 */
export function toJson(value: unknown): string {
  // Most events carry no bigint: a quick walk lets them take JSON.stringify's fast path (about 2x faster
  // than a replacer function, which V8 calls for every key).
  const text = containsBigint(value, 0) ? JSON.stringify(value, tagBigint) : JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

/**
 * Parse what `toJson` wrote; `{"$n":"…"}` becomes a bigint again. Throws a SyntaxError on text that is not JSON.
 *
 * @example fromJson('{"fee":{"$n":"-5"}}') // { fee: -5n }
 */
export function fromJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // A reviver costs a call per key; the tag is rare, so look for it in the text first.
  return text.includes('"$n"') ? untagBigints(value) : value;
}

function tagBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value;
}

function containsBigint(v: unknown, depth: number): boolean {
  if (typeof v === 'bigint') return true;
  if (typeof v !== 'object' || v === null) return false;
  if (depth > MAX_DEPTH) throw new Error(`JSON value is nested deeper than ${MAX_DEPTH} levels (circular?)`);
  // Walk everything (no early return) so that a reserved-key object anywhere is caught. Primitives are
  // tested inline: most values are, and a call per value was a quarter of the encoding time.
  let found = false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' ? x !== null && containsBigint(x, depth + 1) : typeof x === 'bigint') found = true;
    }
    return found;
  }
  const o = v as Record<string, unknown>;
  if (o[BIGINT_TAG] !== undefined && Object.keys(o).length === 1) {
    throw new Error(`JSON value holds an object with the single key "${BIGINT_TAG}", reserved for bigints`);
  }
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' ? x !== null && containsBigint(x, depth + 1) : typeof x === 'bigint') found = true;
  }
  return found;
}

function untagBigints(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = untagBigints(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  let keys = 0;
  for (const k in o) {
    keys++;
    o[k] = untagBigints(o[k]);
  }
  const n = o[BIGINT_TAG];
  return keys === 1 && typeof n === 'string' && INTEGER.test(n) ? BigInt(n) : o;
}
