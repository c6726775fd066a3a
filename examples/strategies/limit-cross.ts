import { Strategy, param, type Bar, type ParamValues } from 'keel';

// SMA crossover that trades with limit orders at the bar's close: for venues that take no market orders
// (QuickFIX's executor example fills limit orders only; README "Paper trading over FIX").
const schema = {
  fast: param.int(3, { min: 1, description: 'fast SMA period (bars)' }),
  slow: param.int(8, { min: 2, description: 'slow SMA period (bars)' }),
};

export default class LimitCross extends Strategy<ParamValues<typeof schema>> {
  static override params = schema;
  static override description = 'Long on a fast-over-slow SMA cross, flat on the cross back; limit orders at the close.';

  private closes: number[] = [];
  private lastSign = 0;

  override onBar(bar: Bar): void {
    this.closes.push(bar.close);
    if (this.closes.length > this.params.slow) this.closes.shift();
    if (this.closes.length < this.params.slow) return;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const diff = mean(this.closes.slice(-this.params.fast)) - mean(this.closes);
    const sign = Math.sign(diff);
    const crossed = sign !== 0 && this.lastSign !== 0 && sign !== this.lastSign;
    if (sign !== 0) this.lastSign = sign;
    if (!crossed || this.hasOpenOrders()) return;
    // The close on the instrument's tick grid (the data file has more decimals than the venue's 0.01).
    const tick = this.instrument.tickSize;
    const price = Number((Math.round(bar.close / tick) * tick).toFixed(this.instrument.priceDecimals));
    const quantity = 100;
    if (sign > 0 && this.isFlat()) this.buy(quantity, { type: 'limit', limitPrice: price, tag: 'entry' });
    else if (sign < 0 && this.isLong()) this.sell(this.position().quantity, { type: 'limit', limitPrice: price, tag: 'exit' });
  }
}
