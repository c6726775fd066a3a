/**
 * The live validator's verdicts and the counters kept per reason (for metrics). Kept apart from the
 * validator so metrics and logs can name them without depending on its internals.
 */

/** Why an event got its verdict. */
export type LiveCheckReason =
  | 'ok' | 'unknown-instrument' | 'bad-timestamp' | 'not-a-number' | 'non-positive-price' | 'non-positive-size'
  | 'off-grid' | 'crossed-quote' | 'locked-quote' | 'bad-bar' | 'future-timestamp' | 'out-of-order' | 'duplicate'
  | 'spike-suspect' | 'spike' | 'level-shift';

export type VerdictAction = 'accept' | 'flag' | 'drop' | 'hold';

export interface Verdict {
  readonly action: VerdictAction;
  readonly reason: LiveCheckReason;
  /** One line for the log, e.g. `ES trade at 09:31:02.120Z: price 4810 is 12.1% from the last good price 4291 …`. */
  readonly message: string;
}

/** Counter names: outcomes (`accepted`, `flagged`, `dropped`), every reason but `ok`, and `stale` episodes. */
export const LIVE_VALIDATOR_COUNTERS = [
  'accepted', 'flagged', 'dropped', 'stale',
  'unknown-instrument', 'bad-timestamp', 'not-a-number', 'non-positive-price', 'non-positive-size', 'off-grid',
  'crossed-quote', 'locked-quote', 'bad-bar', 'future-timestamp', 'out-of-order', 'duplicate',
  'spike-suspect', 'spike', 'level-shift',
] as const;
export type LiveValidatorCounter = (typeof LIVE_VALIDATOR_COUNTERS)[number];
export type LiveValidatorCounters = Record<LiveValidatorCounter, number>;
