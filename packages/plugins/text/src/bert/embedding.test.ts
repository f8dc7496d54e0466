import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../test-utils/paths.js';
import { embeddingLookup } from './embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('embeddingLookup', () => {
  it('gives the rows of the table and the gradient of tf.gather, duplicates summed', () => {
    const table = tf.randomNormal([7, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const ids = tf.tensor1d([1, 4, 1, 6, 1], 'int32');
    const weights = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    expect(maxAbsDiff(embeddingLookup(table, ids).dataSync(), tf.gather(table, ids).dataSync())).toBe(0);
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t as tf.Tensor2D, ids), weights)))(table);
    const reference = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table);
    expect(maxAbsDiff(ours.dataSync(), reference.dataSync())).toBeLessThan(1e-6);
    // Row 1 was looked up three times: its gradient is the sum of three rows of `weights`.
    const w = weights.arraySync() as number[][];
    expect((ours.arraySync() as number[][])[1]![0]).toBeCloseTo(w[0]![0]! + w[2]![0]! + w[4]![0]!, 5);
  });
});
