import * as tf from '@tensorflow/tfjs';

/** How pixel values in 0..255 are scaled: `symmetric` x/127.5 − 1, `unit` x/255, `none` as is. */
export type PixelScale = 'symmetric' | 'unit' | 'none';

export interface ImagePreprocessOptions {
  /** Resize to `size × size` (bilinear, half-pixel centres); omitted: keep the size. */
  size?: number;
  /** @default 'symmetric' */
  scale?: PixelScale;
  /** Channels the model reads: grey is copied to 3, RGB averaged to 1, alpha dropped. @default 3 */
  channels?: 1 | 3;
}

/**
 * Raw `[N, H, W, C]` images in 0..255 → model input: scale, then a bilinear resize with half-pixel
 * centres (PyTorch's `align_corners=False`, TF2's `resize`; the legacy tfjs default shifts the image
 * by half a pixel and changes results noticeably), then fit the channels. Call inside `tf.tidy`.
 */
export function imagePreprocess(options: ImagePreprocessOptions = {}): (x: tf.Tensor) => tf.Tensor4D {
  const { size, scale = 'symmetric', channels = 3 } = options;
  return (x) => {
    if (x.rank !== 4) throw new RangeError(`Image preprocessing expects [N, H, W, C] images, got shape [${x.shape.join(', ')}]`);
    let y = tf.cast(x, 'float32') as tf.Tensor4D;
    if (scale === 'symmetric') y = tf.sub(tf.div(y, 127.5), 1);
    else if (scale === 'unit') y = tf.div(y, 255);
    if (size !== undefined && (y.shape[1] !== size || y.shape[2] !== size)) {
      y = tf.image.resizeBilinear(y, [size, size], false, true);
    }
    if (y.shape[3] === 4) y = tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, 3]);
    if (channels === 3 && y.shape[3] === 1) y = tf.tile(y, [1, 1, 1, 3]);
    if (channels === 1 && y.shape[3] === 3) y = tf.mean(y, 3, true);
    return y;
  };
}

/** What Keras/TF-slim ImageNet MobileNets expect: x/127.5 − 1, resized to `size`, 3 channels. */
export function imagenetPreprocess(size: number): (x: tf.Tensor) => tf.Tensor4D {
  return imagePreprocess({ size, scale: 'symmetric', channels: 3 });
}
