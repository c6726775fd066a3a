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

  override onPrice(price: number): void {
    this.bands.update(price);
    if (!this.bands.ready || this.hasOpenOrders()) return;
    if (this.isFlat() && price > this.bands.upper) this.enterLong();
    else if (this.isLong() && price < this.bands.middle) this.exitPosition();
  }
}
