import type { Metric } from 'prom-client';

/**
 * A Prometheus histogram whose `observe()` allocates nothing.
 *
 * prom-client's own Histogram builds a closure and a labels object on every observation. That is harmless for
 * an HTTP server but not on the live order path, whose whole budget is 200 µs (DESIGN.md, performance
 * targets): so the hot side is a typed array of bucket counts, and the exposition objects are built only when
 * Prometheus scrapes. The object has the shape prom-client's Registry reads (`name`, `help`, `type`, `get()`),
 * so it registers next to ordinary prom-client metrics and prints in the same text format.
 *
 * Buckets are given in the exported unit (seconds for latencies); `divisor` converts the caller's unit
 * (ms → seconds is 1000), so callers pass the numbers they already have.
 *
 * @example
 * const ack = new FixedHistogram({ name: 'keel_order_ack_latency_seconds', help: '…', buckets: [0.01, 0.1, 1], divisor: 1000 });
 * registry.registerMetric(ack.asMetric());
 * ack.observe(42); // 42 ms → the 0.1 s bucket
 */
export class FixedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly divisor: number;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(o: { name: string; help: string; buckets: readonly number[]; divisor?: number }) {
    for (let i = 1; i < o.buckets.length; i++) {
      if (!(o.buckets[i] > o.buckets[i - 1])) throw new Error(`${o.name}: buckets must be strictly increasing`);
    }
    this.name = o.name;
    this.help = o.help;
    this.bounds = Float64Array.from(o.buckets);
    this.divisor = o.divisor ?? 1;
    this.counts = new Float64Array(o.buckets.length + 1);
  }

  /** Record one observation in the caller's unit. Non-finite values are dropped: one NaN would poison `_sum` forever. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    // Division, not multiplication by a reciprocal: 200 / 1e6 is exactly the double 0.0002, so a value on a
    // bucket's edge lands in that bucket (`le` is inclusive).
    const v = this.divisor === 1 ? value : value / this.divisor;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && v > bounds[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }

  /** Observations so far (for tests and health checks). */
  get observations(): number {
    return this.count;
  }

  /** Upper bounds of the buckets in the exported unit (the implicit +Inf bucket is not listed). */
  get upperBounds(): readonly number[] {
    return [...this.bounds];
  }

  /** Cumulative counts per bucket, +Inf last (what `_bucket` exports); a copy, for windowed quantiles. */
  cumulativeCounts(): number[] {
    const out: number[] = [];
    let c = 0;
    for (const n of this.counts) out.push((c += n));
    return out;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** The snapshot prom-client's Registry prints: cumulative `_bucket` series, then `_sum` and `_count`. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: HistogramSample[] }> {
    const values: HistogramSample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i];
      values.push({ metricName: `${this.name}_bucket`, labels: { le: this.bounds[i] }, value: cumulative });
    }
    cumulative += this.counts[this.bounds.length];
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: cumulative });
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.count });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** This histogram typed as a prom-client metric, for `registry.registerMetric` (it implements what the Registry calls). */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}

interface HistogramSample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}
