/** Confusion matrix: rows are true classes, columns predicted classes. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]! += 1;
  return m;
}

export function accuracy(confusion: number[][]): number {
  let correct = 0;
  let total = 0;
  confusion.forEach((row, i) => {
    row.forEach((n, j) => {
      total += n;
      if (i === j) correct += n;
    });
  });
  return total === 0 ? 0 : correct / total;
}

/**
 * Macro-F1: the unweighted mean of per-class F1 over the classes that occur in the truth or the
 * predictions (a class absent from both has no defined F1 and is left out, as scikit-learn warns about).
 */
export function macroF1(confusion: number[][]): number {
  const k = confusion.length;
  const scores: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    let fn = 0;
    let fp = 0;
    for (let j = 0; j < k; j++) {
      if (j !== c) {
        fn += confusion[c]![j]!;
        fp += confusion[j]![c]!;
      }
    }
    if (tp + fn + fp === 0) continue;
    scores.push((2 * tp) / (2 * tp + fp + fn));
  }
  return scores.length === 0 ? 0 : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** Index of the largest of `width` values starting at `offset`. */
export function argmax(values: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[offset + j]! > values[offset + best]!) best = j;
  return best;
}
