import { Rng } from '@graft/core';

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * A seeded shuffle of row indices cut into test, validation and train (in that order), each part kept in
 * file order. Sizes round to the nearest row; train keeps at least one row.
 */
export function splitRows(n: number, fractions: { validation: number; test: number }, seed: number): SplitIndices {
  const order = new Rng(seed).permutation(n);
  const nTest = Math.min(Math.round(n * fractions.test), n - 1);
  const nValidation = Math.min(Math.round(n * fractions.validation), n - 1 - nTest);
  const sorted = (a: Int32Array): Int32Array => a.slice().sort();
  return {
    test: sorted(order.subarray(0, nTest)),
    validation: sorted(order.subarray(nTest, nTest + nValidation)),
    train: sorted(order.subarray(nTest + nValidation)),
  };
}
