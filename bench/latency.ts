/** Latency samples (µs or ms, the caller's unit) to the percentiles a benchmark line prints. */
export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Percentiles of `samples` (nearest rank), skipping the first `warmUp` share (JIT, connection set-up).
 *
 * @example percentiles([5, 1, 9, 3], 0).p50 // 5
 */
export function percentiles(samples: readonly number[], warmUp = 0.1): Percentiles {
  const kept = samples.slice(Math.floor(samples.length * warmUp)).sort((a, b) => a - b);
  if (kept.length === 0) return { n: 0, p50: NaN, p99: NaN, max: NaN };
  const q = (p: number) => kept[Math.min(kept.length - 1, Math.floor(p * kept.length))];
  return { n: kept.length, p50: q(0.5), p99: q(0.99), max: kept[kept.length - 1] };
}
