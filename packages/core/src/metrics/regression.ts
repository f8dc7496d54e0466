/** Mean absolute and mean squared error over every value. */
export function regressionErrors(predicted: ArrayLike<number>, truth: ArrayLike<number>): { mae: number; mse: number } {
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < truth.length; i++) {
    const d = predicted[i]! - truth[i]!;
    abs += Math.abs(d);
    sq += d * d;
  }
  const n = Math.max(truth.length, 1);
  return { mae: abs / n, mse: sq / n };
}
