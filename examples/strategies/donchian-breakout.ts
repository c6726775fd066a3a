import { Strategy, param, type Bar, type FillView, type ParamValues } from 'keel';

// The tutorial strategy (README): a Donchian channel breakout with a protective stop.
const schema = {
  lookback: param.int(20, { min: 2, description: 'channel length in bars' }),
  stopPct: param.number(5, { min: 0.1, max: 50, description: 'stop-loss distance below the entry, in %' }),
};

export default class DonchianBreakout extends Strategy<ParamValues<typeof schema>> {
  static override params = schema;
  static override description = 'Buy a close above the highest high of the last N bars; exit below the lowest low or at the stop.';

  private highs: number[] = [];
  private lows: number[] = [];

  override onBar(bar: Bar): void {
    const { lookback } = this.params;
    if (this.highs.length === lookback) {
      const top = Math.max(...this.highs);
      const bottom = Math.min(...this.lows);
      if (this.isFlat() && !this.hasOpenOrders() && bar.close > top) {
        this.enterLong();
      } else if (this.isLong() && bar.close < bottom) {
        this.cancelAll();          // drop the resting stop before exiting
        this.exitPosition();
      }
    }
    this.highs.push(bar.high);
    this.lows.push(bar.low);
    if (this.highs.length > lookback) { this.highs.shift(); this.lows.shift(); }
  }

  override onFill(fill: FillView): void {
    // Once the entry fills, protect it with a stop on the instrument's tick grid.
    if (fill.tag === 'entry') {
      const tick = this.instrument.tickSize;
      const stop = Math.floor((fill.price * (1 - this.params.stopPct / 100)) / tick) * tick;
      this.sell(fill.quantity, { stopPrice: Number(stop.toFixed(this.instrument.priceDecimals)), reduceOnly: true, tag: 'stop-loss' });
    }
  }
}
