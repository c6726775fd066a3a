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

/** Max order submissions per sliding second, per account and per strategy; only approved orders count. */
export function messageThrottleCheck(config: RiskConfig): PreTradeCheck {
  const account = config.account.maxOrdersPerSecond !== undefined ? new SlidingWindowCounter(config.account.maxOrdersPerSecond) : undefined;
  const strategies = new Map<string, SlidingWindowCounter | undefined>();
  const strategyCounter = (id: string) => {
    if (!strategies.has(id)) {
      const max = config.strategies[id]?.maxOrdersPerSecond;
      strategies.set(id, max !== undefined ? new SlidingWindowCounter(max) : undefined);
    }
    return strategies.get(id);
  };
  return {
    name: 'message-throttle',
    check({ order, now }) {
      if (account !== undefined && !account.allows(now)) return `The account already sent ${account.max} orders in the last second (limit ${account.max}/s)`;
      const s = strategyCounter(order.strategyId);
      if (s !== undefined && !s.allows(now)) return `Strategy ${order.strategyId} already sent ${s.max} orders in the last second (limit ${s.max}/s)`;
      return undefined;
    },
    approved({ order, now }) {
      account?.record(now);
      strategyCounter(order.strategyId)?.record(now);
    },
  };
}
