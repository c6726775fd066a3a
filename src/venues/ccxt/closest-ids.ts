/**
 * "Did you mean" for exchange ids: a typo in `exchange: krakn` should name `kraken`, not print 104 ids.
 */
import { editDistance as distance } from '../../model/index.ts';

/**
 * Up to `max` candidates closest to `wanted`: prefix/substring matches first (`binan` → binance, binanceus…),
 * then by edit distance, dropping anything too far to be a plausible typo.
 *
 * @example closestIds('krakn', ['kraken', 'krakenfutures', 'okx']) // ['kraken', 'krakenfutures']
 */
export function closestIds(wanted: string, candidates: readonly string[], max = 3): string[] {
  const w = wanted.toLowerCase();
  const scored = candidates.map((c) => {
    const d = distance(w, c);
    const contains = w.length >= 3 && (c.startsWith(w) || c.includes(w) || w.includes(c));
    return { c, score: contains ? Math.min(d, 1) - 0.5 : d };
  });
  const limit = Math.max(2, Math.ceil(w.length / 3));
  return scored.filter((s) => s.score <= limit).sort((a, b) => a.score - b.score || a.c.localeCompare(b.c)).slice(0, max).map((s) => s.c);
}
