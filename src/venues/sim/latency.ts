import { SeededRandom } from '../../kernel/index.ts';

/** Time from the engine handing an order (or cancel) to the venue until the venue acts on it, in ms. */
export interface LatencyModel {
  readonly description: string;
  next(): number;
}

/**
 * Fixed latency plus uniform jitter in [0, jitterMs), drawn from a seeded generator so runs repeat exactly.
 *
 * @example latencyModel(5, 2, 42).next() // 5 ≤ x < 7
 */
export function latencyModel(fixedMs = 0, jitterMs = 0, seed = 1): LatencyModel {
  if (jitterMs <= 0) return { description: `${fixedMs} ms`, next: () => fixedMs };
  const rng = new SeededRandom(seed);
  return { description: `${fixedMs} ms + uniform jitter < ${jitterMs} ms (seed ${seed})`, next: () => fixedMs + rng.next() * jitterMs };
}
