/**
 * Backoff and retry. Exponential backoff with *full jitter* (delay uniform in [0, min(max, base·2^attempt)]):
 * when a venue hiccups, every client retries at once; full jitter spreads them out, which is what gets the
 * venue (and our rate budget) back fastest. The random source is injectable so tests are deterministic
 * (`new SeededRandom(seed)` from kernel/).
 *
 * The retry policy, and why it is safe:
 * - A request is retried only when it is *idempotent*: sending it twice has the same effect as once. GET and
 *   DELETE (cancel) are. A plain POST is not: if its answer is lost, the venue may have acted, and a second
 *   POST would act again (two orders).
 * - Order submission is retried *only because* it carries a client order id that the venue enforces as unique
 *   (Alpaca refuses a second order with the same `client_order_id`). A resend is then either the first to
 *   arrive (one order) or refused as a duplicate (still one order), so it cannot create a second order. The
 *   adapter still never resends after a *timeout*: the first request may be in flight, so it reports the order
 *   UNKNOWN and asks the venue by client order id instead (see `docs/alpaca.md`).
 * - A venue's Retry-After is a floor for the next delay: retrying earlier only earns another 429 (or a ban).
 */

export interface BackoffOptions {
  /** Cap of the first retry's delay. */
  readonly baseMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
  /** Uniform in [0, 1); default Math.random. Pass a seeded source for reproducible delays. */
  readonly random?: () => number;
}

/**
 * The delay before retry number `attempt` (0-based): uniform in [0, min(maxMs, baseMs · 2^attempt)].
 *
 * @example backoffDelay(3, { baseMs: 100, maxMs: 5000, random: () => 0.5 }) // 400
 */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 52));
  return Math.floor((o.random ?? Math.random)() * cap);
}

/**
 * A stateful backoff for reconnect loops: `next()` gives the next delay, `reset()` after a success.
 *
 * @example const b = new Backoff({ baseMs: 250, maxMs: 30_000 }); setTimeout(reconnect, b.next());
 */
export class Backoff {
  private readonly o: BackoffOptions;
  private n = 0;

  constructor(o: BackoffOptions) {
    this.o = o;
  }

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.n;
  }

  next(): number {
    return backoffDelay(this.n++, this.o);
  }

  reset(): void {
    this.n = 0;
  }
}

export interface RetryOptions extends BackoffOptions {
  /** Total tries, the first included (1: no retry). */
  readonly attempts: number;
  /** Sending twice has the same effect as once (see the policy above). False: exactly one try, always. */
  readonly idempotent: boolean;
  /** Whether this error is worth another try (default: every error). */
  readonly isRetryable?: (error: unknown) => boolean;
  /** The venue's Retry-After for this error, in ms (a floor for the next delay). */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
  /** Called before each wait; for logs and metrics. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Stops waiting (rejects with its reason). */
  readonly signal?: AbortSignal;
  /** Injectable for tests (default: a real timer). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Run `fn` until it succeeds, retrying with backoff only as the policy allows; rethrows the last error.
 * `fn` gets the 0-based attempt number.
 *
 * @example
 * const account = await retry(() => http.get('/v2/account'), { attempts: 4, baseMs: 200, maxMs: 5000, idempotent: true });
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const tries = o.idempotent ? Math.max(1, o.attempts) : 1;
  const sleep = o.sleep ?? sleepMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt + 1 >= tries || !(o.isRetryable?.(e) ?? true)) throw e;
      const delay = Math.max(backoffDelay(attempt, o), o.retryAfterMs?.(e) ?? 0);
      o.onRetry?.(e, attempt, delay);
      await sleep(delay, o.signal);
    }
  }
}

/**
 * Resolve after `ms`, or reject with the signal's reason when it aborts first.
 *
 * @example await sleepMs(100)
 */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => { clearTimeout(timer); reject(signal?.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
