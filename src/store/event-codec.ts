/**
 * The journal's payload encoding, shared by every dialect: JSON in which a bigint (Money) travels as
 * `{"$n":"123"}`, so an amount of 10^-12 units never passes through a float. Keys keep the order the object
 * gave them (as `JSON.stringify`), so the same event always encodes to the same text: a replayed or restored
 * journal is byte-identical. Same wire form as `model/json.ts`, tuned for the append path.
 *
 * Otherwise JSON's rules hold: `undefined` properties are dropped (in arrays they become `null`), non-finite
 * numbers become `null`, `toJSON` is honoured (a Date becomes its ISO string), and a top-level `undefined`
 * is stored as `null`.
 */

import { KeelError } from '../model/index.ts';
import type { NewJournalEvent } from './journal.ts';

const BIGINT_TAG = '$n';
/** Deeper than any event or engine snapshot; past it the value is almost surely circular. */
const MAX_DEPTH = 200;
const INTEGER = /^-?\d+$/;

/**
 * Encode a payload or snapshot state. Throws (a bug in the caller, not bad user input) on a circular value
 * or on an object shaped exactly like the bigint tag, which could not be told apart when read back.
 *
 * @example encodePayload({ fee: 1_250_000_000n, side: 'buy' }) // '{"fee":{"$n":"1250000000"},"side":"buy"}'
 */
export function encodePayload(value: unknown): string {
  // Most events carry no bigint: a quick walk lets them take JSON.stringify's fast path (about 2x faster
  // than a replacer function, which V8 calls for every key).
  const text = containsBigint(value, 0) ? JSON.stringify(value, tagBigint) : JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

/**
 * Decode what `encodePayload` wrote; `{"$n":"…"}` becomes a bigint again. Throws a SyntaxError on text that
 * is not JSON (a corrupt row).
 *
 * @example decodePayload('{"fee":{"$n":"-5"}}') // { fee: -5n }
 */
export function decodePayload(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // A reviver costs a call per key; the tag is rare, so look for it in the text first.
  return text.includes('"$n"') ? untagBigints(value) : value;
}

/**
 * Check an event handed to `Journal.append` and encode its payload, so that one caller's bad event is refused
 * at its own call (BAD_JOURNAL_EVENT, one line) instead of failing a batch shared with others. `index` is the
 * event's position in the call, for the error's field.
 *
 * @example const text = encodeNewEvent({ ts: 1, stream: { account: 'main' }, type: 'engine.started', payload: {} }, 0); // '{}'
 */
export function encodeNewEvent(e: NewJournalEvent, index: number): string {
  // The checks are plain comparisons; an error (and its closure-free message) is built only on failure.
  if (typeof e !== 'object' || e === null) throw badEvent(index, '', 'must be an event object', String(e));
  if (!Number.isSafeInteger(e.ts)) throw badEvent(index, '.ts', 'must be epoch milliseconds (an integer)', e.ts);
  if (typeof e.type !== 'string' || e.type === '') throw badEvent(index, '.type', 'must be a non-empty string', e.type);
  const s = e.stream;
  if (typeof s?.account !== 'string' || s.account === '') throw badEvent(index, '.stream.account', 'must be a non-empty string', s?.account);
  if (s.strategy !== undefined && typeof s.strategy !== 'string') throw badEvent(index, '.stream.strategy', 'must be a string when given', s.strategy);
  if (s.instrument !== undefined && typeof s.instrument !== 'string') throw badEvent(index, '.stream.instrument', 'must be a string when given', s.instrument);
  if (e.version !== undefined && typeof e.version !== 'string') throw badEvent(index, '.version', 'must be a string when given', e.version);
  if (e.payload === undefined) throw badEvent(index, '.payload', 'must be JSON-serialisable (null, not undefined, for nothing)', 'undefined');
  try {
    return encodePayload(e.payload);
  } catch (err) {
    throw badEvent(index, '.payload', `cannot be journaled: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, undefined);
  }
}

function badEvent(index: number, what: string, message: string, value: unknown): KeelError {
  return new KeelError('BAD_JOURNAL_EVENT', message, { field: `events[${index}]${what}`, value });
}

function tagBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value;
}

function containsBigint(v: unknown, depth: number): boolean {
  if (typeof v === 'bigint') return true;
  if (typeof v !== 'object' || v === null) return false;
  if (depth > MAX_DEPTH) throw new Error(`journal payload is nested deeper than ${MAX_DEPTH} levels (circular?)`);
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
    throw new Error(`journal payload holds an object with the single key "${BIGINT_TAG}", reserved for bigints`);
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
