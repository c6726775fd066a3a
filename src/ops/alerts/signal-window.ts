import type { AlertCounters, HistogramCounts } from '../metrics/engine-metrics.ts';

/** Rates and latency quantiles over the last window, as the alert rules read them. */
export interface WindowedSignals {
  /** Venue rejects / orders sent, in percent; undefined until the window holds `minOrders` orders. */
  readonly rejectRatePct: number | undefined;
  /** Risk-gate denials / orders the strategies tried (sent + denied), in percent; same `minOrders` rule. */
  readonly denialRatePct: number | undefined;
  /** 99th percentile of order acknowledgement latency in ms; undefined without observations in the window. */
  readonly ackLatencyP99Ms: number | undefined;
  /** 99th percentile of market event → order handed to the venue, in µs. */
  readonly marketToOrderP99Micros: number | undefined;
}

/**
 * Turns running totals into rates and quantiles over a sliding window, the way Prometheus's `increase()` and
 * `histogram_quantile()` do, so the built-in rules and deploy/alert-rules.yml agree. Pure: time is the
 * caller's, nothing is read from the clock.
 *
 * @example
 * const w = new SignalWindow({ windowMs: 300_000, minOrders: 5 });
 * const s = w.add(Date.now(), metrics.alertCounters()); // s.rejectRatePct …
 */
export class SignalWindow {
  private readonly windowMs: number;
  private readonly minOrders: number;
  private readonly samples: Array<{ ts: number; c: AlertCounters }> = [];

  constructor(o: { windowMs: number; minOrders: number }) {
    this.windowMs = o.windowMs;
    this.minOrders = o.minOrders;
  }

  /** Record the totals at `ts` and return the signals over the window ending there. */
  add(ts: number, c: AlertCounters): WindowedSignals {
    // Before the first sample nothing had happened (the totals start with the process).
    if (this.samples.length === 0) this.samples.push({ ts, c: ZERO });
    this.samples.push({ ts, c });
    // Keep the newest sample at or before the window's start: the baseline the increase is measured from.
    while (this.samples.length > 2 && this.samples[1].ts <= ts - this.windowMs) this.samples.shift();
    const base = this.samples[0].c;
    const sent = c.sent - base.sent;
    const rejected = c.rejected - base.rejected;
    const denied = c.denied - base.denied;
    return {
      rejectRatePct: sent >= this.minOrders ? (100 * rejected) / sent : undefined,
      denialRatePct: sent + denied >= this.minOrders ? (100 * denied) / (sent + denied) : undefined,
      ackLatencyP99Ms: scaled(histogramQuantile(0.99, c.ackLatency, base.ackLatency), 1000),
      marketToOrderP99Micros: scaled(histogramQuantile(0.99, c.marketToOrder, base.marketToOrder), 1e6),
    };
  }
}

const NO_COUNTS: HistogramCounts = { bounds: [], cumulative: [] };
const ZERO: AlertCounters = { sent: 0, rejected: 0, denied: 0, ackLatency: NO_COUNTS, marketToOrder: NO_COUNTS };

function scaled(v: number | undefined, k: number): number | undefined {
  return v === undefined ? undefined : v * k;
}

/**
 * The q-quantile of the observations made between `before` and `now` (cumulative bucket counts, +Inf last),
 * interpolated linearly inside the bucket as Prometheus does. Past the last finite bound the answer is that
 * bound (the histogram cannot say more). Undefined when nothing was observed.
 */
export function histogramQuantile(q: number, now: HistogramCounts, before: HistogramCounts = NO_COUNTS): number | undefined {
  const counts = now.cumulative.map((n, i) => n - (before.cumulative[i] ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] < rank) continue;
    if (i >= now.bounds.length) return now.bounds[now.bounds.length - 1];
    const lower = i === 0 ? 0 : now.bounds[i - 1];
    const below = i === 0 ? 0 : counts[i - 1];
    const inBucket = counts[i] - below;
    return inBucket === 0 ? now.bounds[i] : lower + ((now.bounds[i] - lower) * (rank - below)) / inBucket;
  }
  return now.bounds[now.bounds.length - 1];
}
