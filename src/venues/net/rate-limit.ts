/**
 * Client-side rate limiting. Venues ban accounts that exceed their limits (Alpaca: 429 then temporary blocks;
 * Binance: 418 and an IP ban that grows), and the limit is per *account*, not per connection: two strategies
 * with their own limiters would together exceed it. So buckets live in a `RateBudget` shared by the whole
 * process, keyed by account and endpoint group, and every adapter takes its tokens from there.
 */

export interface TokenBucketOptions {
  /** Most tokens held at once: the burst allowed after a quiet spell. */
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** Epoch milliseconds; injectable for tests (default Date.now). */
  readonly now?: () => number;
}

interface Waiter {
  readonly n: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. Waiters are served in
 * arrival order (requests leave in the order they were made), and `tryTake` never jumps the queue.
 *
 * @example
 * const orders = new TokenBucket({ capacity: 10, refillPerSecond: 190 / 60 });
 * await orders.take(); // then send the request
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;
  private pausedTill = 0;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(o: TokenBucketOptions) {
    if (!(o.capacity > 0) || !(o.refillPerSecond > 0)) throw new Error(`token bucket needs a positive capacity and refill rate, got ${o.capacity} and ${o.refillPerSecond}`);
    this.capacity = o.capacity;
    this.refillPerSecond = o.refillPerSecond;
    this.now = o.now ?? Date.now;
    this.tokens = o.capacity;
    this.refilledAt = this.now();
  }

  /** Tokens available now (fractional while refilling); 0 while paused. */
  get available(): number {
    this.refill();
    return this.now() < this.pausedTill ? 0 : this.tokens;
  }

  /** Epoch ms until which the venue asked us to stop (Retry-After), or 0. */
  get pausedUntil(): number {
    return this.pausedTill > this.now() ? this.pausedTill : 0;
  }

  /** Requests waiting for a token. */
  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Take `n` tokens if they are there now and nobody waits before us.
   *
   * @example if (!bucket.tryTake()) return 'later';
   */
  tryTake(n = 1): boolean {
    if (this.waiters.length > 0 || this.delayMs(n) > 0) return false;
    this.tokens -= n;
    return true;
  }

  /**
   * Milliseconds until `n` tokens could be taken (0: now), counting a pause but not the queue.
   *
   * @example bucket.delayMs(5) // 1500 when 5 tokens refill in 1.5 s
   */
  delayMs(n = 1): number {
    if (n > this.capacity) throw new Error(`cannot take ${n} tokens from a bucket of ${this.capacity}`);
    this.refill();
    const t = this.now();
    const pause = Math.max(0, this.pausedTill - t);
    const missing = n - this.tokens;
    const refill = missing <= 0 ? 0 : Math.ceil((missing / this.refillPerSecond) * 1000);
    return Math.max(pause, refill);
  }

  /**
   * Wait for `n` tokens (in arrival order) and take them. Rejects with the signal's reason if it aborts first.
   *
   * @example await bucket.take(1, AbortSignal.timeout(5000));
   */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryTake(n)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        n, resolve, reject, signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
          this.schedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /**
   * Stop handing out tokens for `ms` (a 429/418 with Retry-After). A later, longer pause wins; a shorter one
   * never cuts an earlier pause short.
   *
   * @example bucket.pauseFor(2000)
   */
  pauseFor(ms: number): void {
    this.pauseUntil(this.now() + Math.max(0, ms));
  }

  /** Stop handing out tokens until the epoch ms `until`. Tokens are also emptied: the venue says we used them up. */
  pauseUntil(until: number): void {
    if (until <= this.pausedTill) return;
    this.pausedTill = until;
    this.refill();
    this.tokens = 0;
    this.refilledAt = Math.max(this.refilledAt, until); // nothing refills while paused
    this.schedule();
  }

  private refill(): void {
    const t = this.now();
    if (t <= this.refilledAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.refilledAt) / 1000) * this.refillPerSecond);
    this.refilledAt = t;
  }

  /** Serve waiters in order; arm one timer for the head of the queue. */
  private schedule(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      const wait = this.delayMs(head.n);
      if (wait > 0) {
        this.timer = setTimeout(() => { this.timer = undefined; this.schedule(); }, wait);
        // A timer for a rate limit must not keep a finished process alive.
        this.timer.unref?.();
        return;
      }
      this.waiters.shift();
      this.tokens -= head.n;
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
  }
}

/** One bucket's state, for metrics (`keel_rate_headroom{account,group}`). */
export interface BucketHeadroom {
  readonly account: string;
  readonly group: string;
  readonly available: number;
  readonly capacity: number;
  readonly queued: number;
  /** Epoch ms of a venue-imposed pause, 0 when none. */
  readonly pausedUntil: number;
}

/**
 * The process's rate budget: one bucket per (account, endpoint group), created on first use and shared by
 * every adapter and strategy that asks for the same key. The first caller's limits define a bucket; a later
 * caller with other limits gets the existing bucket (one account has one limit, whoever asks).
 *
 * @example
 * const orders = sharedRateBudget.bucket('alpaca:paper:5c1f', 'orders', { capacity: 10, refillPerSecond: 190 / 60 });
 */
export class RateBudget {
  private readonly buckets = new Map<string, { account: string; group: string; bucket: TokenBucket }>();
  private readonly now: (() => number) | undefined;

  constructor(o: { now?: () => number } = {}) {
    this.now = o.now;
  }

  /** The bucket for `account` + `group`; `limits` apply only when it does not exist yet (required then). */
  bucket(account: string, group: string, limits?: { capacity: number; refillPerSecond: number }): TokenBucket {
    const key = `${account}\u0000${group}`;
    const found = this.buckets.get(key);
    if (found) return found.bucket;
    if (!limits) throw new Error(`rate budget has no bucket ${account}/${group} and no limits were given to create it`);
    const bucket = new TokenBucket({ ...limits, now: this.now });
    this.buckets.set(key, { account, group, bucket });
    return bucket;
  }

  /** Every bucket's headroom, for metrics and the dashboard. */
  headroom(): BucketHeadroom[] {
    return [...this.buckets.values()].map(({ account, group, bucket }) => ({
      account, group, available: bucket.available, capacity: bucket.capacity, queued: bucket.queued, pausedUntil: bucket.pausedUntil,
    }));
  }
}

/** The budget every adapter in this process uses unless given another (tests pass their own). */
export const sharedRateBudget = new RateBudget();
