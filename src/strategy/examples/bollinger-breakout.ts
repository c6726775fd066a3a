import type { Bar } from '../../model/index.ts';
import { Strategy } from '../strategy.ts';
import { param, type ParamValues } from '../params.ts';
import { Bollinger } from '../indicators/index.ts';

const schema = {
  period: param.int(20, { min: 2, description: 'band period (bars)' }),
  k: param.number(2, { min: 0, description: 'band width in standard deviations' }),
};

/** Bollinger breakout: buy a close above the upper band, exit on a close below the middle band. Long only. */
export default class BollingerBreakout extends Strategy<ParamValues<typeof schema>> {
  static override params = schema;
  static override description = 'Buy a close above the upper Bollinger band, exit on a close below the middle band.';

  private bands!: Bollinger;

  override onStart(): void {
    this.bands = new Bollinger(this.params.period, this.params.k);
  }

  override onBar(bar: Bar): void {
    this.bands.update(bar.close);
    if (!this.bands.ready || this.hasOpenOrders()) return;
    if (this.isFlat() && bar.close > this.bands.upper) this.enterLong();
    else if (this.isLong() && bar.close < this.bands.middle) this.exitPosition();
  }
}
