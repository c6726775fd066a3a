import type { RiskConfig } from '../config.ts';
import type { PreTradeCheck } from './review.ts';

const WINDOW_MS = 1000;

/** Timestamps of the last N messages in a ring: "N in the last second" is one comparison. */
export class SlidingWindowCounter {
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
    this.times = new Float64Array(max);
  }

  /** True when one more message at `now` stays within `max` per sliding second. */
  allows(now: number): boolean {
    if (this.count < this.max) return true;
    return now - this.times[this.next] >= WINDOW_MS;
  }

  record(now: number): void {
    this.times[this.next] = now;
    this.next = (this.next + 1) % this.max;
    if (this.count < this.max) this.count++;
  }
}

/** A per-second limit of ScopeLimits that the account and each strategy count separately. */
export type RateLimitKey = 'maxOrdersPerSecond' | 'maxModificationsPerSecond';

/** The account's counter and one per strategy (made on first use) for one per-second limit; undefined = no limit. */
export class ScopedCounters {
  readonly account: SlidingWindowCounter | undefined;
  private readonly strategies = new Map<string, SlidingWindowCounter | undefined>();
  private readonly config: RiskConfig;
  private readonly key: RateLimitKey;

  constructor(config: RiskConfig, key: RateLimitKey) {
    this.config = config;
    this.key = key;
    const max = config.account[key];
    this.account = max !== undefined ? new SlidingWindowCounter(max) : undefined;
  }

  strategy(strategyId: string): SlidingWindowCounter | undefined {
    if (!this.strategies.has(strategyId)) {
      const max = this.config.strategies[strategyId]?.[this.key];
      this.strategies.set(strategyId, max !== undefined ? new SlidingWindowCounter(max) : undefined);
    }
    return this.strategies.get(strategyId);
  }

  record(strategyId: string, now: number): void {
    this.account?.record(now);
    this.strategy(strategyId)?.record(now);
  }
}

/** Max order submissions per sliding second, per account and per strategy; only approved orders count. */
export function messageThrottleCheck(config: RiskConfig): PreTradeCheck {
  const counters = new ScopedCounters(config, 'maxOrdersPerSecond');
  const account = counters.account;
  return {
    name: 'message-throttle',
    check({ order, now }) {
      if (account !== undefined && !account.allows(now)) return `The account already sent ${account.max} orders in the last second (limit ${account.max}/s)`;
      const s = counters.strategy(order.strategyId);
      if (s !== undefined && !s.allows(now)) return `Strategy ${order.strategyId} already sent ${s.max} orders in the last second (limit ${s.max}/s)`;
      return undefined;
    },
    approved({ order, now }) {
      counters.record(order.strategyId, now);
    },
  };
}
