import type { SessionStore } from './session-store.ts';
import type { FixField } from './wire.ts';

/** One step of answering a ResendRequest: a stored message again, or a gap-fill over numbers with nothing to resend. */
export type ResendStep =
  | { readonly kind: 'message'; readonly seq: number; readonly msgType: string; readonly origSendingTime: string | undefined; readonly body: readonly FixField[] }
  | { readonly kind: 'gap-fill'; readonly from: number; readonly to: number };

/** Header and trailer tags a resend writes afresh. */
const FRESH = new Set([8, 9, 10, 35, 49, 56, 34, 52, 43, 97, 122]);

/**
 * How to answer a ResendRequest for `begin..end` (0: everything up to our last): the stored application
 * messages in order, with SequenceReset-GapFill over admin messages (never stored: the Logon holds the
 * password) and over anything older than the store keeps. Empty when the range is not ours to answer.
 *
 * @example resendPlan(store, 1, 0) // [{ kind: 'gap-fill', from: 1, to: 2 }, { kind: 'message', seq: 2, msgType: 'D', ... }]
 */
export function resendPlan(store: SessionStore, begin: number, endAsked: number): ResendStep[] {
  const last = store.nextOut - 1;
  const end = !Number.isInteger(endAsked) || endAsked === 0 || endAsked > last ? last : endAsked;
  if (!Number.isInteger(begin) || begin < 1) return [];
  if (begin > end) return []; // beyond our last message, or an empty range: nothing to answer
  const steps: ResendStep[] = [];
  let next = begin;
  for (const [seq, raw] of store.sentBetween(begin, end)) {
    if (seq > next) steps.push({ kind: 'gap-fill', from: next, to: seq });
    const fields = raw.split('\x01').filter((p) => p !== '').map((p): FixField => {
      const eq = p.indexOf('=');
      return [Number(p.slice(0, eq)), p.slice(eq + 1)];
    });
    steps.push({
      kind: 'message', seq, msgType: fields.find(([t]) => t === 35)?.[1] ?? '', origSendingTime: fields.find(([t]) => t === 52)?.[1],
      body: fields.filter(([t]) => !FRESH.has(t)),
    });
    next = seq + 1;
  }
  if (next <= end) steps.push({ kind: 'gap-fill', from: next, to: end + 1 });
  return steps;
}
