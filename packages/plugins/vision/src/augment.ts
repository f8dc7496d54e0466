import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Rng, type Augmentation } from '@graft/core';

export interface AugmentOptions {
  /** Pad each side by this many pixels (zeros), then crop back to the original size at a random offset. @default 0 */
  crop?: number;
  /**
   * Crop a random part of the image (area `scale` of it, aspect ratio in `ratio`, drawn log-uniformly) and
   * resize it back to the image's size, bilinearly: the "random resized crop" of Inception and SimCLR.
   */
  resizedCrop?: { scale: readonly [number, number]; ratio: readonly [number, number] };
  /** Mirror each image left–right with probability 1/2. @default false */
  flip?: boolean;
  /**
   * Colour jitter, applied to each image with probability `p`: brightness × U(1 − b, 1 + b), contrast
   * (distance from the image's mean) × U(1 − c, 1 + c), saturation (distance from the grey value, colour
   * images only) × U(1 − s, 1 + s); pixels are then clipped to 0..255.
   */
  jitter?: { brightness: number; contrast: number; saturation: number; p: number };
}

/** One image's random draws, in the order they are taken from the stream. */
interface Draws {
  dy: number;
  dx: number;
  box: [number, number, number, number];
  flip: boolean;
  brightness: number;
  contrast: number;
  saturation: number;
}

function draw(rng: Rng, pad: number, o: AugmentOptions): Draws {
  const d: Draws = { dy: 0, dx: 0, box: [0, 0, 1, 1], flip: false, brightness: 1, contrast: 1, saturation: 1 };
  if (pad > 0) {
    d.dy = rng.int(2 * pad + 1);
    d.dx = rng.int(2 * pad + 1);
  }
  if (o.resizedCrop) {
    const [smin, smax] = o.resizedCrop.scale;
    const [rmin, rmax] = o.resizedCrop.ratio;
    const area = smin + (smax - smin) * rng.next();
    const ratio = Math.exp(Math.log(rmin) + (Math.log(rmax) - Math.log(rmin)) * rng.next());
    // Side lengths as fractions of the image's; a crop that would not fit is clipped to the image.
    const h = Math.min(1, Math.sqrt(area / ratio));
    const w = Math.min(1, Math.sqrt(area * ratio));
    const y = (1 - h) * rng.next();
    const x = (1 - w) * rng.next();
    d.box = [y, x, y + h, x + w];
  }
  if (o.flip) d.flip = rng.next() < 0.5;
  if (o.jitter) {
    const j = o.jitter;
    if (rng.next() < j.p) {
      d.brightness = 1 - j.brightness + 2 * j.brightness * rng.next();
      d.contrast = 1 - j.contrast + 2 * j.contrast * rng.next();
      d.saturation = 1 - j.saturation + 2 * j.saturation * rng.next();
    }
  }
  return d;
}

/**
 * Random augmentation of raw images `[N, H, W, C]` in 0..255, in this order: crop with padding (Krizhevsky
 * et al. 2012, §4.1; He et al. 2016, §4.2), random resized crop, horizontal flip, colour jitter (the SimCLR
 * family, Chen et al. 2020, §3 and Appendix A). Draws per image, in order, everything random from `rng`, so a
 * seeded run augments identically. Returns a new tensor of the same shape.
 */
export function augment(images: tf.Tensor4D, rng: Rng, options: AugmentOptions = {}): tf.Tensor4D {
  const pad = options.crop ?? 0;
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`augment: \`crop\` must be a non-negative integer, got ${pad}`);
  const [n, h, w, c] = images.shape;
  const draws = Array.from({ length: n }, () => draw(rng, pad, options));
  return tf.tidy(() => {
    let out: tf.Tensor4D = images.clone();
    if (pad > 0) {
      const padded = tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
      out = tf.concat(draws.map((d, i) => tf.slice(padded, [i, d.dy, d.dx, 0], [1, h, w, -1])), 0) as tf.Tensor4D;
    }
    if (options.resizedCrop || draws.some((d) => d.flip)) {
      // One crop-and-resize does both: a box whose x corners are swapped samples the crop mirrored, and the
      // whole-image box [0, 0, 1, 1] lands on pixel centres, so a flip alone is exact (cpu's reverse is slow).
      const boxes = draws.flatMap(({ box: [y1, x1, y2, x2], flip }) => (flip ? [y1, x2, y2, x1] : [y1, x1, y2, x2]));
      out = tf.image.cropAndResize(out, tf.tensor2d(boxes, [n, 4]), tf.range(0, n, 1, 'int32') as tf.Tensor1D, [h, w], 'bilinear');
    }
    if (options.jitter && draws.some((d) => d.brightness !== 1 || d.contrast !== 1 || d.saturation !== 1)) {
      const per = (f: (d: Draws) => number) => tf.tensor4d(draws.map(f), [n, 1, 1, 1]);
      out = tf.mul(out, per((d) => d.brightness));
      const mean = tf.mean(out, [1, 2, 3], true);
      out = tf.add(tf.mul(tf.sub(out, mean), per((d) => d.contrast)), mean);
      if (c === 3) {
        const grey = tf.mean(out, 3, true);
        out = tf.add(tf.mul(tf.sub(out, grey), per((d) => d.saturation)), grey);
      }
      out = tf.clipByValue(out, 0, 255);
    }
    return out;
  });
}

const range = (lo: number, hi: number) =>
  z
    .tuple([z.number().gt(lo).max(hi), z.number().gt(lo).max(hi)])
    .refine(([a, b]) => a <= b, 'the first value must not exceed the second');

/** The `augment` option of the image datasets. */
export const augmentSchema = z.strictObject({
  /** Pad each side by this many pixels, then crop back at a random offset. @default 0 */
  crop: z.number().int().min(0).max(64).default(0).describe('Pad by this many pixels, crop back at a random offset.'),
  /** Random resized crop: area fraction `scale` and aspect `ratio` ranges. @default off; `{}` gives scale [0.08, 1], ratio [3/4, 4/3] */
  resizedCrop: z
    .strictObject({
      /** @default [0.08, 1] (Inception, SimCLR) */
      scale: range(0, 1).default([0.08, 1]).describe('Range of the crop’s area as a fraction of the image.'),
      /** @default [3/4, 4/3] */
      ratio: range(0, 10).default([3 / 4, 4 / 3]).describe('Range of the crop’s aspect ratio (width / height).'),
    })
    .optional()
    .describe('Random resized crop (SimCLR).'),
  /** Mirror left–right with probability 1/2. @default false */
  flip: z.boolean().default(false).describe('Random horizontal flip.'),
  /** Colour jitter. @default off; `{}` gives brightness, contrast and saturation 0.4 with p 0.8 */
  jitter: z
    .strictObject({
      /** @default 0.4 */
      brightness: z.number().min(0).max(1).default(0.4),
      /** @default 0.4 */
      contrast: z.number().min(0).max(1).default(0.4),
      /** @default 0.4 */
      saturation: z.number().min(0).max(1).default(0.4),
      /** Probability of jittering an image. @default 0.8 (SimCLR) */
      p: z.number().min(0).max(1).default(0.8),
    })
    .optional()
    .describe('Random brightness, contrast and saturation.'),
});
export type AugmentSpec = z.output<typeof augmentSchema>;

/** A dataset's augmentation from its `augment` option: transforms the `image` input of a batch. */
export function augmentation(spec: AugmentSpec): Augmentation {
  return (inputs, seed) => {
    const image = inputs.image;
    if (!image || image.rank !== 4) return inputs;
    return { ...inputs, image: augment(image as tf.Tensor4D, new Rng(seed), spec) };
  };
}
