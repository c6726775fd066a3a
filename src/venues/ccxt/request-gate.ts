import { backoffDelay, retry, sleepMs, type TokenBucket } from '../net/index.ts';
import { classifyCcxtError } from './errors.ts';

export interface RequestGateOptions {
  /** The account's shared bucket (see `RateBudget`): every strategy on the account draws from it. */
  readonly bucket: TokenBucket;
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** Called before each wait (logs, metrics); text is already redacted by the caller's logger. */
  readonly onRetry?: (what: string, error: unknown, delayMs: number) => void;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  /** Removes secrets from text; applied to every error before it leaves (exchanges echo headers in bodies). */
  readonly redact?: (text: string) => string;
}

/**
 * Every REST call to the exchange goes through here: a token from the shared budget first, then the call,
 * then the retry policy:
 * - refused by a rate limit (429, DDoS protection): always retried after a pause of the whole account's
 *   budget (the exchange's Retry-After when it sent one, else backoff): the request was not processed, and
 *   the other strategies on the account must slow down too;
 * - outcome unknown (timeout, connection lost): retried only when `idempotent` (reads, cancels); a create
 *   is never resent: its caller reports the order UNKNOWN and looks it up by client order id;
 * - anything else: thrown to the caller at once.
 *
 * @example const orders = await gate.call('fetchOpenOrders', () => ex.fetchOpenOrders('BTC/USD'), true);
 */
export class RequestGate {
  private readonly o: RequestGateOptions;

  constructor(o: RequestGateOptions) {
    this.o = o;
  }

  call<T>(what: string, fn: () => Promise<T>, idempotent: boolean): Promise<T> {
    const o = this.o;
    let limited = 0;
    const attempt = async (): Promise<T> => {
      await o.bucket.take(1, o.signal);
      return fn();
    };
    // Rate-limit refusals are retried for every request (nothing was processed) with their own count, so
    // that a create refused by a 429 is sent again but a create that timed out is not.
    const once = async (): Promise<T> => {
      for (;;) {
        try {
          return await attempt();
        } catch (e) {
          if (classifyCcxtError(e) !== 'rate-limit' || ++limited >= o.attempts) throw e;
          const delay = backoffDelay(limited - 1, o);
          // A Retry-After already paused the bucket (see createExchange); the backoff adds jitter on top.
          if (o.bucket.pausedUntil === 0) o.bucket.pauseFor(delay);
          o.onRetry?.(what, e, delay);
          if (o.bucket.pausedUntil === 0) await sleepMs(delay, o.signal);
        }
      }
    };
    return retry(once, {
      attempts: o.attempts, baseMs: o.baseMs, maxMs: o.maxMs, idempotent, signal: o.signal, random: o.random,
      isRetryable: (e) => classifyCcxtError(e) === 'unknown',
      onRetry: (e, _n, delay) => o.onRetry?.(what, e, delay),
    }).catch((e: unknown) => {
      throw this.scrub(e);
    });
  }

  /** The same error (its class still tells what happened) with secrets cut from its message and stack. */
  private scrub(e: unknown): unknown {
    if (this.o.redact === undefined || !(e instanceof Error)) return e;
    e.message = this.o.redact(e.message);
    if (e.stack !== undefined) e.stack = this.o.redact(e.stack);
    return e;
  }
}
