import type { SpikeConfig } from './live-config.ts';

/**
 * The spike rule of the live validator, as pure arithmetic over a price series' recent moves. A move is
 * suspect when it is larger than `maxJumpPct` from the last good price, or (once `warmup` moves were seen)
 * larger than `rollingFactor` times the exponential mean of recent absolute moves and larger than the
 * `minJumpPct` floor. Moves are relative: |price − reference| / reference.
 */

/** What the rule remembers per price series. */
export interface MoveStats {
  /** Last accepted price; NaN before the first. */
  lastGood: number;
  /** Exponential mean of |relative move| between accepted prices. */
  meanMove: number;
  /** Moves that went into the mean. */
  moves: number;
}

/**
 * True when `price` is a suspect jump from `reference`.
 *
 * @example
 * isSpike(config.spike, { lastGood: 100, meanMove: 0.001, moves: 50 }, 111, 100); // true: 11% > maxJumpPct 10
 */
export function isSpike(s: SpikeConfig, stats: MoveStats, price: number, reference: number): boolean {
  const move = Math.abs(price - reference) / reference;
  if (move * 100 > s.maxJumpPct) return true;
  return stats.moves >= s.warmup && move * 100 > s.minJumpPct && move > s.rollingFactor * stats.meanMove;
}

/**
 * The move in words, with the limits that apply, for a verdict's message.
 *
 * @example
 * describeMove(config.spike, stats, 111, 100); // 'price 111 is 11.00% from the last good price 100 (limit 10%)'
 */
export function describeMove(s: SpikeConfig, stats: MoveStats, price: number, reference: number): string {
  const move = Math.abs(price - reference) / reference;
  const rolling = stats.moves >= s.warmup
    ? `, ${(move / stats.meanMove).toFixed(1)}x the mean move ${(stats.meanMove * 100).toFixed(3)}% (limit ${s.rollingFactor}x, floor ${s.minJumpPct}%)`
    : '';
  return `price ${price} is ${(move * 100).toFixed(2)}% from the last good price ${reference} (limit ${s.maxJumpPct}%${rolling})`;
}

/**
 * Fold one accepted move into the exponential mean (`alpha` = 2 / (window + 1)); the first move seeds it.
 *
 * @example
 * addMove(stats, 2 / 101, 100.1, 100);
 */
export function addMove(stats: MoveStats, alpha: number, price: number, reference: number): void {
  const move = Math.abs(price - reference) / reference;
  stats.meanMove = stats.moves === 0 ? move : stats.meanMove + alpha * (move - stats.meanMove);
  stats.moves++;
}
