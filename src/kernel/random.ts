/**
 * Seeded pseudo-random numbers (mulberry32). Everything random in a backtest (latency jitter, fault
 * injection) draws from one of these, so a run with the same seed is reproducible byte for byte.
 *
 * @example
 * const rng = new SeededRandom(42); rng.next(); // 0 ≤ x < 1, same sequence every run
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
