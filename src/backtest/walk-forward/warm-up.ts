import type { OrderSpec, StrategyClass } from '../../strategy/index.ts';

/**
 * The strategy class with orders suppressed before `tradeFrom` (epoch ms): the warm-up of an out-of-sample
 * window. The strategy sees every bar of the training tail, so its indicators are primed when the test window
 * opens, but nothing it decides during the warm-up reaches the risk gate or the venue: `submit` returns an id
 * that never gets an update, the position stays flat and the cash untouched. From the first test bar on, it
 * trades normally.
 *
 * @example const Cls = warmedUp(SmaCross, window.testStartTs); runBacktest({ strategyClass: Cls, ... })
 */
export function warmedUp(cls: StrategyClass, tradeFrom: number): StrategyClass {
  let suppressed = 0;
  const Warmed = class extends (cls as unknown as new (params: any) => InstanceType<StrategyClass>) {
    override submit(spec: OrderSpec): string {
      if (this.clock.now() < tradeFrom) return `warm-up-${++suppressed}`;
      return super.submit(spec);
    }
  };
  Object.defineProperty(Warmed, 'name', { value: cls.name });
  return Object.assign(Warmed, { params: cls.params, description: cls.description }) as unknown as StrategyClass;
}
