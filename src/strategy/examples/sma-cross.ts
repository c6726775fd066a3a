import { KeelError } from '../../model/index.ts';
import { Strategy } from '../strategy.ts';
import { param, type ParamValues } from '../params.ts';
import { Sma } from '../indicators/index.ts';

const schema = {
  fast: param.int(10, { min: 1, description: 'fast SMA period (bars)' }),
  slow: param.int(30, { min: 2, description: 'slow SMA period (bars)' }),
  short: param.boolean(false, { description: 'also go short on a downward cross' }),
  ties: param.string('keep', {
    choices: ['keep', 'break'],
    description: 'a bar where the averages are equal: keep the side they were on (backtrader) or break the cross (backtesting.py)',
  }),
};

/**
 * SMA crossover: go long when the fast average of closes crosses above the slow one, exit (and optionally
 * go short) when it crosses below. A cross is a change of sign of fast − slow between bars. Engines disagree
 * on a bar where the two are exactly equal, which happens more often than one would think: prices repeat,
 * and exactly summed windows holding the same values give equal averages (on 200,000 one-minute bars built
 * from real ORCL days, 20 bars tie). `ties: keep` (default) skips such a bar and keeps the sign before it, so
 * −, 0, + is a cross on the + bar, as backtrader's CrossOver; `ties: break` lets the equal bar end the
 * previous side, so −, 0, + is no cross at all, as backtesting.py's `crossover()` (a[-2] < b[-2] and
 * a[-1] > b[-1]). Decisions are made on the bar's close; the market order fills at the next bar's open.
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
    if (sign === 0) {
      if (this.params.ties === 'break') this.lastSign = 0;
      return;
    }
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
