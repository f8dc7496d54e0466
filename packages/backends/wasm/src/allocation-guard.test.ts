import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GraftError } from '@graft/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from './backend.js';

// Allocations here reserve heap without touching it, so little real memory is used.
describe('wasm allocation guard', () => {
  let backend: BackendWasm;
  beforeAll(async () => {
    await wasmBackend.init();
    backend = tf.backend() as BackendWasm;
  });

  it('refuses a tensor of 4 GiB or more instead of letting the byte count wrap around', () => {
    const before = tf.memory().numTensors;
    const error = (() => {
      try {
        backend.makeOutput([2 ** 30 + 16], 'float32');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('GRAFT_OUT_OF_MEMORY');
    expect((error as GraftError).message).toMatch(/4\.00 GiB.*4 GiB.*batchSize/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('turns a full heap into GRAFT_OUT_OF_MEMORY, and the backend keeps working', () => {
    const big = backend.makeOutput([640 * 2 ** 20], 'float32'); // 2.5 GiB
    expect(() => backend.makeOutput([640 * 2 ** 20], 'float32')).toThrow(/GRAFT_OUT_OF_MEMORY/);
    backend.disposeData(big.dataId);
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from(tf.mul(x, 2).dataSync())).toEqual([2, 4, 6]);
  });
});
