import { Strategy, param, Atr, riskPerTradeSize, capByFraction, type Bar, type FillView, type ParamValues } from 'keel';

// A Donchian breakout that sizes every entry by risk: the stop sits `stopAtr` ATRs below the entry, and the
// quantity is chosen so that hitting it costs `riskPct`% of equity (see docs/sizing.md). The position value
// is capped at `maxFraction` of equity, because a quiet market (small ATR) would otherwise ask for a huge size.
const schema = {
  lookback: param.int(20, { min: 2, description: 'entry channel: buy a close above the highest high of N bars' }),
  exitLookback: param.int(10, { min: 2, description: 'exit channel: sell a close below the lowest low of N bars' }),
  atrPeriod: param.int(20, { min: 1, description: 'ATR period (bars), Wilder smoothing' }),
  stopAtr: param.number(2, { min: 0.1, description: 'stop distance below the entry, in ATRs' }),
  riskPct: param.number(1, { min: 0.01, max: 100, description: 'equity lost if the stop is hit, in %' }),
  maxFraction: param.number(0.5, { min: 0.01, max: 1, description: 'largest position value as a fraction of equity' }),
};

export default class AtrRiskSizing extends Strategy<ParamValues<typeof schema>> {
  static override params = schema;
  static override description = 'Donchian breakout sized to risk a fixed % of equity on an ATR-multiple stop, capped by a fraction of equity.';

  private atr!: Atr;
  private highs: number[] = [];
  private lows: number[] = [];
  /** Stop distance decided with the entry; the stop goes this far below the actual fill price. */
  private stopDistance = 0;

  override onStart(): void {
    this.atr = new Atr(this.params.atrPeriod);
  }

  override onBar(bar: Bar): void {
    const { lookback, exitLookback } = this.params;
    this.atr.update(bar.high, bar.low, bar.close);
    if (this.highs.length === lookback && this.isFlat() && !this.hasOpenOrders() && bar.close > Math.max(...this.highs)) {
      this.enter(bar.close);
    }
    if (this.isLong() && this.lows.length >= exitLookback && bar.close < Math.min(...this.lows.slice(-exitLookback))) {
      this.cancelAll();            // drop the resting stop before exiting on the opposite signal
      this.exitPosition();
    }
    this.highs.push(bar.high);
    this.lows.push(bar.low);
    const keep = Math.max(lookback, exitLookback);
    if (this.highs.length > lookback) this.highs.shift();
    if (this.lows.length > keep) this.lows.shift();
  }

  private enter(price: number): void {
    if (!this.atr.ready) return;
    const inst = this.instrument;
    const lot = { lotSize: inst.lotSizeNumber, multiplier: inst.multiplierNumber };
    const equity = this.portfolio.equity;
    // At least one tick, so the stop can sit strictly below the fill on the price grid.
    const distance = Math.max(this.params.stopAtr * this.atr.value, inst.tickSize);
    const risked = riskPerTradeSize({ equity, riskPct: this.params.riskPct, entryPrice: price, stopPrice: price - distance, ...lot });
    const quantity = capByFraction({ quantity: risked, price, equity, maxFraction: this.params.maxFraction, ...lot });
    if (quantity === 0) return;    // too little equity for one lot, or no usable ATR
    this.stopDistance = distance;
    this.buy(quantity, { tag: 'entry' });
  }

  override onFill(fill: FillView): void {
    if (fill.tag !== 'entry') return;
    // Measure the stop from the actual fill, not the signal close, so a gap up at the open cannot widen the
    // risk beyond the budget. Rounded up onto the tick grid: never further away than planned.
    const tick = this.instrument.tickSize;
    const stop = Math.ceil((fill.price - this.stopDistance) / tick - 1e-9) * tick;
    this.sell(fill.quantity, { stopPrice: Number(stop.toFixed(this.instrument.priceDecimals)), reduceOnly: true, tag: 'stop-loss' });
  }
}
