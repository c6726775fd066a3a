/**
 * The journal's payload encoding, shared by every dialect: JSON in which a bigint (Money) travels as
 * `{"$n":"123"}`, so an amount of 10^-12 units never passes through a float. Keys keep the order the object
 * gave them (as `JSON.stringify`), so the same event always encodes to the same text: a replayed or restored
 * journal is byte-identical. The encoding itself is `model/json.ts`; this adds the append-time checks.
 *
 * Otherwise JSON's rules hold: `undefined` properties are dropped (in arrays they become `null`), non-finite
 * numbers become `null`, `toJSON` is honoured (a Date becomes its ISO string), and a top-level `undefined`
 * is stored as `null`.
 */

import { KeelError, fromJson, toJson } from '../model/index.ts';
import type { NewJournalEvent } from './journal.ts';

/** Encode a payload or snapshot state (`toJson`: bigints as `{"$n":"…"}`). */
export const encodePayload: (value: unknown) => string = toJson;

/** Decode what `encodePayload` wrote. Throws a SyntaxError on text that is not JSON (a corrupt row). */
export const decodePayload: (text: string) => unknown = fromJson;

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
