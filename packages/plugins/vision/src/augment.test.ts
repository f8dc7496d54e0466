import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@graft/core';
import { augment } from './augment.js';

/** The same augmentation written out per pixel on nested arrays, drawing from the same seeded stream. */
function reference(images: number[][][][], seed: number, pad: number, flip: boolean): number[][][][] {
  const rng = new Rng(seed);
  return images.map((img) => {
    const h = img.length;
    const w = img[0]!.length;
    const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
    const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
    const mirror = flip ? rng.next() < 0.5 : false;
    return Array.from({ length: h }, (_, y) =>
      Array.from({ length: w }, (_, x) => {
        const sx = mirror ? w - 1 - x : x;
        const py = y + dy - pad;
        const px = sx + dx - pad;
        return py < 0 || py >= h || px < 0 || px >= w ? img[0]![0]!.map(() => 0) : img[py]![px]!;
      }),
    );
  });
}

describe('augment', () => {
  beforeAll(() => tf.setBackend('cpu'));
  const images = tf.tidy(() => tf.add(tf.randomUniform([12, 5, 6, 2], 0, 255, 'float32', 1), 1)) as tf.Tensor4D;

  it('crops with padding and flips exactly like a per-pixel reference with the same draws', () => {
    for (const [pad, flip] of [[2, true], [1, false], [0, true]] as const) {
      const got = augment(images, new Rng(42), { crop: pad, flip });
      expect(got.shape).toEqual(images.shape);
      expect(got.arraySync()).toEqual(reference(images.arraySync(), 42, pad, flip));
    }
  });

  it('changes some images but not all, and is the identity without options', () => {
    const flipped = augment(images, new Rng(5), { flip: true }).arraySync();
    const same = images.arraySync();
    const changed = flipped.filter((img, i) => JSON.stringify(img) !== JSON.stringify(same[i])).length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(12);
    expect(augment(images, new Rng(5)).arraySync()).toEqual(same);
  });

  it('refuses a negative or fractional crop', () => {
    expect(() => augment(images, new Rng(1), { crop: 1.5 })).toThrow('augment: `crop` must be a non-negative integer, got 1.5');
  });
});
