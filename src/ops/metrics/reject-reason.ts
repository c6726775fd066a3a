/**
 * Venue reject reasons grouped into a few classes, so `keel_order_rejects_total` has a bounded label set
 * (free text as a label would create one series per distinct message) and an operator can tell "the broker
 * says no money" from "we are being throttled" at a glance.
 */
export const REJECT_CLASSES = ['insufficient_funds', 'rate_limited', 'market_closed', 'invalid_order', 'not_connected', 'other'] as const;
export type RejectClass = typeof REJECT_CLASSES[number];

// Order matters: the first match wins (a "rate limit" message may also mention the order being invalid).
const RULES: ReadonlyArray<readonly [RegExp, RejectClass]> = [
  [/not connected|venue is closed|not sent|disconnect|timed? ?out/i, 'not_connected'],
  [/rate.?limit|too many requests|throttl|\b429\b/i, 'rate_limited'],
  [/insufficient|buying power|not enough|margin|balance/i, 'insufficient_funds'],
  [/market (is )?closed|outside (regular )?(trading )?hours|halted|session/i, 'market_closed'],
  [/invalid|unknown instrument|not (tradable|allowed|supported)|minimum|precision|tick|lot|qty|quantity|price/i, 'invalid_order'],
];

/**
 * The class of a venue's reject reason.
 *
 * @example classifyReject('insufficient buying power') // 'insufficient_funds'
 */
export function classifyReject(reason: string): RejectClass {
  for (const [pattern, cls] of RULES) if (pattern.test(reason)) return cls;
  return 'other';
}
