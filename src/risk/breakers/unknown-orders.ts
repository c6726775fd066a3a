import type { BreakerConfig } from '../config.ts';

type Config = NonNullable<BreakerConfig['unknownOrders']>;

/** Too many orders whose outcome was lost at once: the engine no longer knows its own book. */
export class UnknownOrdersBreaker {
  readonly name = 'unknown-orders';
  readonly action;
  private readonly max: number;

  constructor(config: Config) {
    this.max = config.maxUnknown;
    this.action = config.action;
  }

  check(unknown: number): string | undefined {
    return unknown > this.max ? `${unknown} orders have an unknown outcome (limit ${this.max})` : undefined;
  }

  rearm(): void {}
}
