/** Small robust statistics for validation (medians resist the very outliers being looked for). */

/**
 * Median of the values (0 when empty); works on a copy. Selection in linear time instead of a full sort:
 * a million spacings are checked in milliseconds. Values with NaN or -0 take the sort, whose order for those
 * the selection does not reproduce.
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const a = Float64Array.from(values);
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v !== v || (v === 0 && 1 / v < 0)) return sortedMedian(a);
  }
  const mid = n >> 1;
  const upper = select(a, mid);
  if (n % 2 === 1) return upper;
  // After selecting `mid`, everything left of it is <= a[mid]: the lower middle is their maximum.
  let lower = a[0];
  for (let i = 1; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

function sortedMedian(a: Float64Array): number {
  const sorted = a.sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The k-th smallest of `a` (0-based), partitioning `a` in place around it (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[k];
    let i = lo;
    let j = hi;
    do {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return a[k];
}
