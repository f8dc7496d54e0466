import type { ImageDecoder } from './image-folder-provider.js';

/**
 * Decode with the browser's own image decoder (`createImageBitmap`) and resize on an `OffscreenCanvas`:
 * `cover` crops the centre, `contain` pads with black, `fill` stretches. Grey is ITU-R BT.601 luma.
 */
export const canvasDecode: ImageDecoder = async (bytes, o) => {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    const canvas = new OffscreenCanvas(o.size, o.size);
    const g = canvas.getContext('2d', { willReadFrequently: true });
    if (!g) throw new Error('this browser offers no 2D canvas to decode images with');
    g.fillStyle = 'black';
    g.fillRect(0, 0, o.size, o.size);
    const { width: w, height: h } = bitmap;
    if (o.fit === 'fill') {
      g.drawImage(bitmap, 0, 0, o.size, o.size);
    } else {
      const scale = o.fit === 'cover' ? Math.max(o.size / w, o.size / h) : Math.min(o.size / w, o.size / h);
      const dw = w * scale;
      const dh = h * scale;
      g.drawImage(bitmap, (o.size - dw) / 2, (o.size - dh) / 2, dw, dh);
    }
    const rgba = g.getImageData(0, 0, o.size, o.size).data;
    const n = o.size * o.size;
    const out = new Uint8Array(n * o.channels);
    for (let i = 0; i < n; i++) {
      const [r, gr, b] = [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!];
      if (o.channels === 1) out[i] = Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
      else out.set([r, gr, b], i * 3);
    }
    return out;
  } finally {
    bitmap.close();
  }
};
