import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@graft/core/internal';
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

/** Bilinear crop-and-resize per pixel, as TensorFlow defines `crop_and_resize` (box corners map to pixel centres). */
function referenceResizedCrop(img: number[][][], box: [number, number, number, number]): number[][][] {
  const h = img.length;
  const w = img[0]!.length;
  const [y1, x1, y2, x2] = box;
  const at = (y: number, x: number) => img[Math.min(h - 1, Math.max(0, y))]![Math.min(w - 1, Math.max(0, x))]!;
  return Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => {
      const sy = y1 * (h - 1) + (i * (y2 - y1) * (h - 1)) / (h - 1);
      const sx = x1 * (w - 1) + (j * (x2 - x1) * (w - 1)) / (w - 1);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      return at(y0, x0).map((_, c) => {
        const top = at(y0, x0)[c]! * (1 - fx) + at(y0, x0 + 1)[c]! * fx;
        const bottom = at(y0 + 1, x0)[c]! * (1 - fx) + at(y0 + 1, x0 + 1)[c]! * fx;
        return top * (1 - fy) + bottom * fy;
      });
    }),
  );
}

describe('augment: SimCLR transforms', () => {
  beforeAll(() => tf.setBackend('cpu'));
  const images = tf.tidy(() => tf.randomUniform([6, 9, 9, 3], 0, 255, 'float32', 5)) as tf.Tensor4D;

  it('crops and resizes like a per-pixel bilinear reference with the same draws (within 1e-3 of 255)', () => {
    const spec = { resizedCrop: { scale: [0.2, 0.6] as const, ratio: [0.5, 2] as const } };
    const out = augment(images, new Rng(11), spec).arraySync();
    // The same draws as augment takes them: area, log-ratio, then the corner.
    const rng = new Rng(11);
    const input = images.arraySync();
    input.forEach((img, n) => {
      const area = 0.2 + 0.4 * rng.next();
      const ratio = Math.exp(Math.log(0.5) + (Math.log(2) - Math.log(0.5)) * rng.next());
      const hh = Math.min(1, Math.sqrt(area / ratio));
      const ww = Math.min(1, Math.sqrt(area * ratio));
      const y = (1 - hh) * rng.next();
      const x = (1 - ww) * rng.next();
      const ref = referenceResizedCrop(img, [y, x, y + hh, x + ww]);
      const diff = Math.max(...ref.flat(2).map((v, k) => Math.abs(v - out[n]!.flat(2)[k]!)));
      expect(diff).toBeLessThan(1e-3);
    });
  });

  it('jitters brightness, contrast and saturation like a reference, with probability p, clipped to 0..255', () => {
    const jitter = { brightness: 0.5, contrast: 0.5, saturation: 0.5, p: 0.5 };
    const out = augment(images, new Rng(4), { jitter }).arraySync();
    const rng = new Rng(4);
    let jittered = 0;
    images.arraySync().forEach((img, n) => {
      let [b, c, s] = [1, 1, 1];
      if (rng.next() < jitter.p) {
        jittered++;
        [b, c, s] = [0.5 + rng.next(), 0.5 + rng.next(), 0.5 + rng.next()];
      }
      const bright = img.map((row) => row.map((px) => px.map((v) => v * b)));
      const mean = bright.flat(2).reduce((a, v) => a + v, 0) / bright.flat(2).length;
      const contrast = bright.map((row) => row.map((px) => px.map((v) => (v - mean) * c + mean)));
      const saturated = contrast.map((row) => row.map((px) => {
        const grey = (px[0]! + px[1]! + px[2]!) / 3;
        return px.map((v) => Math.min(255, Math.max(0, (v - grey) * s + grey)));
      }));
      const ref = b === 1 && c === 1 && s === 1 ? img : saturated;
      const diff = Math.max(...ref.flat(2).map((v, k) => Math.abs(v - out[n]!.flat(2)[k]!)));
      expect(diff).toBeLessThan(1e-3);
    });
    expect(jittered).toBeGreaterThan(0);
    expect(jittered).toBeLessThan(6);
  });

  it('draws from the seed: the same seed gives the same views, another seed others', () => {
    const spec = { resizedCrop: { scale: [0.2, 1] as const, ratio: [0.75, 4 / 3] as const }, flip: true, jitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, p: 0.8 } };
    const a = augment(images, new Rng(1), spec).dataSync();
    expect(augment(images, new Rng(1), spec).dataSync()).toEqual(a);
    expect(augment(images, new Rng(2), spec).dataSync()).not.toEqual(a);
  });
});
