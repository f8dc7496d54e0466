import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { imagePreprocess, imagenetPreprocess } from './preprocess.js';

/** Bilinear resize with half-pixel centres written out per pixel: the independent reference. */
function resizeReference(img: number[][], out: number): number[][] {
  const h = img.length;
  const w = img[0]!.length;
  const sample = (src: number, size: number, n: number) => {
    const pos = Math.max(0, (src + 0.5) * (size / n) - 0.5);
    const lo = Math.min(Math.floor(pos), size - 1);
    return { lo, hi: Math.min(lo + 1, size - 1), t: pos - lo };
  };
  return Array.from({ length: out }, (_, y) =>
    Array.from({ length: out }, (_, x) => {
      const sy = sample(y, h, out);
      const sx = sample(x, w, out);
      const top = img[sy.lo]![sx.lo]! * (1 - sx.t) + img[sy.lo]![sx.hi]! * sx.t;
      const bottom = img[sy.hi]![sx.lo]! * (1 - sx.t) + img[sy.hi]![sx.hi]! * sx.t;
      return top * (1 - sy.t) + bottom * sy.t;
    }),
  );
}

describe('imagenetPreprocess', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('scales to [-1, 1], resizes with half-pixel centres and copies grey to 3 channels (within 1e-5)', () => {
    const grey = Array.from({ length: 5 }, (_, y) => Array.from({ length: 7 }, (_, x) => (y * 37 + x * 11) % 256));
    const x = tf.tensor4d(grey.flat(), [1, 5, 7, 1]);
    const y = tf.tidy(() => imagenetPreprocess(9)(x));
    expect(y.shape).toEqual([1, 9, 9, 3]);
    const want = resizeReference(grey.map((r) => r.map((v) => v / 127.5 - 1)), 9);
    const got = y.arraySync()[0]!;
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 9; j++) {
        for (let c = 0; c < 3; c++) expect(Math.abs(got[i]![j]![c]! - want[i]![j]!)).toBeLessThan(1e-5);
      }
    }
    // The legacy tfjs default (no half-pixel centres) gives a different image: the setting matters.
    const legacy = tf.image.resizeBilinear(tf.sub(tf.div(x, 127.5), 1) as tf.Tensor4D, [9, 9]);
    expect(tf.max(tf.abs(tf.sub(legacy, tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, 1])))).dataSync()[0]).toBeGreaterThan(0.05);
  });

  it('leaves the size alone when it already matches, drops alpha, and can average RGB to grey', () => {
    const rgba = tf.tensor4d([0, 127.5, 255, 9, 255, 255, 255, 1], [1, 1, 2, 4]);
    const same = imagenetPreprocess(2)(tf.tensor4d([0, 51, 204, 255], [1, 2, 2, 1]));
    expect(Array.from(same.dataSync()).slice(0, 6)).toEqual([-1, -1, -1, 0.4 - 1, 0.4 - 1, 0.4 - 1].map((v) => Math.fround(v)));
    const out = imagePreprocess({ scale: 'unit', channels: 3 })(rgba);
    expect(out.shape).toEqual([1, 1, 2, 3]);
    expect(Array.from(out.dataSync())).toEqual([0, 0.5, 1, 1, 1, 1]);
    const grey = imagePreprocess({ scale: 'none', channels: 1 })(tf.tensor4d([30, 60, 90], [1, 1, 1, 3]));
    expect(Array.from(grey.dataSync())).toEqual([60]);
  });
});
