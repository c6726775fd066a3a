import type { MarketEvent, OrderSide } from '../../model/index.ts';

/**
 * Adverse price move applied to taker fills (market orders and triggered stops), as a fraction of the
 * reference price. Limit fills never slip: they trade at their limit or better. The venue rounds the
 * slipped price to the tick grid against the trader.
 */
export interface SlippageModel {
  readonly description: string;
  /** True when the model needs to see every market event (rolling statistics). */
  readonly observes: boolean;
  observe(e: MarketEvent): void;
  fraction(e: MarketEvent, side: OrderSide, quantity: number): number;
}

export const noSlippage: SlippageModel = { description: 'none', observes: false, observe() {}, fraction: () => 0 };

/** A fixed number of basis points against the trader on every taker fill. */
export function fixedBpsSlippage(bps: number): SlippageModel {
  const f = bps / 10_000;
  return { description: `${bps} bps`, observes: false, observe() {}, fraction: () => f };
}

/**
 * Half the bid-ask spread. Quotes already fill at the bid or ask, so nothing is added there; bars and trades
 * carry no spread, so the configured typical spread (bps) is used.
 */
export function halfSpreadSlippage(spreadBps: number): SlippageModel {
  const f = spreadBps / 2 / 10_000;
  return { description: `half of a ${spreadBps} bps spread`, observes: false, observe() {}, fraction: (e) => (e.type === 'quote' ? 0 : f) };
}

/**
 * Square-root market impact: fraction = coefficient × σ × √(Q / V), where σ is the standard deviation of
 * bar-to-bar log returns and V the average bar volume, both over the last `window` bars (or trades), and Q
 * the order quantity. The classic empirical law (Almgren et al. 2005; Tóth et al. 2011): impact grows with
 * volatility and with the square root of the share of volume taken. Zero until the window is full or when
 * the data has no volume; capped at 50%.
 */
export function sqrtImpactSlippage(coefficient = 1, window = 20): SlippageModel {
  const rets = new Float64Array(window);
  const vols = new Float64Array(window);
  let n = 0;
  let head = 0;
  let prev = NaN;
  return {
    description: `square-root impact, coefficient ${coefficient}, window ${window}`,
    observes: true,
    observe(e) {
      const price = e.type === 'bar' ? e.close : e.type === 'trade' ? e.price : (e.bid + e.ask) / 2;
      const volume = e.type === 'bar' ? e.volume : e.type === 'trade' ? e.size : 0;
      if (!Number.isNaN(prev) && price > 0 && prev > 0) {
        rets[head] = Math.log(price / prev);
        vols[head] = volume;
        head = (head + 1) % window;
        if (n < window) n++;
      }
      prev = price;
    },
    fraction(_e, _side, quantity) {
      if (n < window) return 0;
      let mean = 0;
      let vsum = 0;
      for (let i = 0; i < window; i++) { mean += rets[i]; vsum += vols[i]; }
      mean /= window;
      let ss = 0;
      for (let i = 0; i < window; i++) ss += (rets[i] - mean) ** 2;
      const sigma = Math.sqrt(ss / (window - 1));
      const avgVolume = vsum / window;
      if (!(avgVolume > 0)) return 0;
      return Math.min(0.5, coefficient * sigma * Math.sqrt(quantity / avgVolume));
    },
  };
}
