import { KeelError } from '../../model/index.ts';
import { Strategy } from '../strategy.ts';
import { param, type ParamValues } from '../params.ts';
import { Sma } from '../indicators/index.ts';

const schema = {
  fast: param.int(10, { min: 1, description: 'fast SMA period (bars)' }),
  slow: param.int(30, { min: 2, description: 'slow SMA period (bars)' }),
  short: param.boolean(false, { description: 'also go short on a downward cross' }),
};

/**
 * SMA crossover: go long when the fast average of closes crosses above the slow one, exit (and optionally
 * go short) when it crosses below. A cross is a change of sign of fast − slow between bars; a bar where the
 * two are exactly equal does not count as crossing (the sign before it is kept), as in backtrader's CrossOver.
 * Decisions are made on the bar's close; the market order fills at the next bar's open.
 */
export default class SmaCross extends Strategy<ParamValues<typeof schema>> {
  static override params = schema;
  static override description = 'Long when the fast SMA crosses above the slow SMA, flat (or short) when below.';

  private fastMa!: Sma;
  private slowMa!: Sma;
  private lastSign = 0;

  override onStart(): void {
    const { fast, slow } = this.params;
    if (fast >= slow) {
      throw new KeelError('BAD_PARAM', `must be smaller than slow (${slow})`, { field: '--params fast', value: fast });
    }
    this.fastMa = new Sma(fast);
    this.slowMa = new Sma(slow);
  }

  override onPrice(price: number): void {
    const f = this.fastMa.update(price);
    const s = this.slowMa.update(price);
    if (!this.slowMa.ready) return;
    const diff = f - s;
    const sign = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    if (sign === 0) return;
    const crossed = this.lastSign !== 0 && sign !== this.lastSign;
    this.lastSign = sign;
    if (!crossed || this.hasOpenOrders()) return;
    const q = this.position().quantity;
    if (sign > 0) {
      if (q < 0) this.exitPosition();
      if (q <= 0) this.enterLong();
    } else {
      if (q > 0) this.exitPosition();
      if (q >= 0 && this.params.short) this.enterShort();
    }
  }
}
