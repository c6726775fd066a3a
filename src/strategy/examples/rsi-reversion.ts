import { KeelError } from '../../model/index.ts';
import { Strategy } from '../strategy.ts';
import { param, type ParamValues } from '../params.ts';
import { Rsi } from '../indicators/index.ts';

const schema = {
  period: param.int(14, { min: 2, description: 'RSI period (Wilder)' }),
  oversold: param.number(30, { min: 0, max: 100, description: 'buy when RSI closes below this' }),
  exit: param.number(50, { min: 0, max: 100, description: 'sell when RSI closes above this' }),
};

/** RSI mean reversion: buy an oversold close, sell once RSI has recovered to the exit level. Long only. */
export default class RsiReversion extends Strategy<ParamValues<typeof schema>> {
  static override params = schema;
  static override description = 'Buy when RSI drops below the oversold level, sell when it recovers above the exit level.';

  private rsi!: Rsi;

  override onStart(): void {
    if (this.params.oversold >= this.params.exit) {
      throw new KeelError('BAD_PARAM', `must be below exit (${this.params.exit})`, { field: '--params oversold', value: this.params.oversold });
    }
    this.rsi = new Rsi(this.params.period);
  }

  override onPrice(price: number): void {
    const r = this.rsi.update(price);
    if (!this.rsi.ready || this.hasOpenOrders()) return;
    if (this.isFlat() && r < this.params.oversold) this.enterLong();
    else if (this.isLong() && r > this.params.exit) this.exitPosition();
  }
}
