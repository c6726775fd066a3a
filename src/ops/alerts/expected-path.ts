/**
 * The equity path a live or paper run is expected to follow: a backtest (or paper run) of the same strategy
 * over the same market. Comparing the running engine's equity with it at the same market time catches what no
 * threshold on the run alone can: fills worse than modelled, a missed signal, a wrong parameter deployed.
 * Pure; loading the file is runtime's job (runtime/expected-path-file.ts).
 *
 * @example
 * const path = new ExpectedPath({ times, equity, source: 'out/result.json' });
 * path.at(engineTs); // the expected equity at that market time, or undefined outside the path
 */
export class ExpectedPath {
  readonly source: string;
  private readonly times: readonly number[];
  private readonly equity: readonly number[];

  constructor(o: { times: readonly number[]; equity: readonly number[]; source: string }) {
    if (o.times.length !== o.equity.length) throw new Error(`${o.source}: ${o.times.length} times but ${o.equity.length} equity values`);
    for (let i = 1; i < o.times.length; i++) {
      if (!(o.times[i] > o.times[i - 1])) throw new Error(`${o.source}: times must increase (point ${i + 1})`);
    }
    this.times = o.times;
    this.equity = o.equity;
    this.source = o.source;
  }

  get length(): number {
    return this.times.length;
  }

  /**
   * Expected equity at market time `ts`: the last point at or before it. Undefined before the path starts and
   * after it ends (beyond the last point there is no expectation, only extrapolation).
   */
  at(ts: number): number | undefined {
    const t = this.times;
    if (t.length === 0 || ts < t[0] || ts > t[t.length - 1]) return undefined;
    let lo = 0;
    let hi = t.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (t[mid] <= ts) lo = mid;
      else hi = mid - 1;
    }
    return this.equity[lo];
  }
}
