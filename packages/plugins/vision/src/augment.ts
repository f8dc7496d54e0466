import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@graft/core';

export interface AugmentOptions {
  /** Pad each side by this many pixels (zeros), then crop back to the original size at a random offset. @default 0 */
  crop?: number;
  /** Mirror each image left–right with probability 1/2. @default false */
  flip?: boolean;
}

/**
 * Random crop with padding and horizontal flip, the standard light augmentation for small images
 * (Krizhevsky et al. 2012, §4.1; He et al. 2016, §4.2). Draws per image, in order, the crop offset
 * (dy, then dx) and the flip from `rng`, so a seeded run augments identically. Returns a new tensor.
 */
export function augment(images: tf.Tensor4D, rng: Rng, options: AugmentOptions = {}): tf.Tensor4D {
  const pad = options.crop ?? 0;
  const flip = options.flip ?? false;
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`augment: \`crop\` must be a non-negative integer, got ${pad}`);
  const [n, h, w] = images.shape;
  const draws = Array.from({ length: n }, () => ({
    dy: pad > 0 ? rng.int(2 * pad + 1) : 0,
    dx: pad > 0 ? rng.int(2 * pad + 1) : 0,
    flip: flip ? rng.next() < 0.5 : false,
  }));
  return tf.tidy(() => {
    let out: tf.Tensor4D = images.clone();
    if (pad > 0) {
      const padded = tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
      out = tf.concat(draws.map((d, i) => tf.slice(padded, [i, d.dy, d.dx, 0], [1, h, w, -1])), 0) as tf.Tensor4D;
    }
    if (flip && draws.some((d) => d.flip)) {
      // A 0/1 mask blends exactly: x·1 + y·0 = x.
      const mask = tf.tensor4d(draws.map((d) => (d.flip ? 1 : 0)), [n, 1, 1, 1]);
      const mirrored = tf.reverse(out, 2);
      out = tf.add(tf.mul(mirrored, mask), tf.mul(out, tf.sub(1, mask)));
    }
    return out;
  });
}
