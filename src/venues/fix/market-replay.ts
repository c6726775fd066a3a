import { KeelError, type Bar } from '../../model/index.ts';
import { loadMarketData } from '../../data/index.ts';

/**
 * A bar file replayed as the market of a FIX venue: an order-entry session carries no market data, and a paper
 * run needs prices. Bars go out at `barsPerSecond`; `ended` resolves after the last one (or `untilBar`).
 *
 * @example const r = new MarketReplay('ORCL.csv', 'ORCL', 20); r.onBar(engine); r.start(); await r.ended;
 */
export class MarketReplay {
  readonly ended: Promise<void>;
  private readonly bars: Bar[];
  private readonly intervalMs: number;
  private readonly handlers: Array<(b: Bar) => void> = [];
  private i = 0;
  private timer: NodeJS.Timeout | undefined;
  private end!: () => void;
  /** Time of the last bar sent (0 before the first). */
  lastTs = 0;

  constructor(path: string, instrumentId: string, barsPerSecond: number, untilBar?: number) {
    let data;
    try {
      data = loadMarketData(path, { instrumentId });
    } catch (e) {
      throw new KeelError('BAD_CONFIG', (e as Error).message, { field: 'fix.marketData.csv', value: path });
    }
    if (data.kind !== 'bars') throw new KeelError('BAD_CONFIG', `holds ${data.kind}, not bars`, { field: 'fix.marketData.csv', value: path });
    this.bars = untilBar === undefined ? data.bars : data.bars.slice(0, untilBar);
    this.intervalMs = barsPerSecond > 0 ? 1000 / barsPerSecond : 0;
    this.ended = new Promise((r) => { this.end = r; });
  }

  onBar(h: (b: Bar) => void): void {
    this.handlers.push(h);
  }

  start(): void {
    if (this.timer !== undefined || this.i > 0) return;
    const tick = () => {
      const b = this.bars[this.i++];
      if (b === undefined) { this.stop(); return; }
      this.lastTs = b.ts;
      for (const h of this.handlers) h(b);
      this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.end();
  }
}
