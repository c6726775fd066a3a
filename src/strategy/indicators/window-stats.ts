/** Mean and sum of squared deviations of the first `n` values, in two passes (no cancellation error). */
export function meanAndSquares(values: ArrayLike<number>, n: number): { mean: number; squares: number } {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    squares += d * d;
  }
  return { mean, squares };
}
