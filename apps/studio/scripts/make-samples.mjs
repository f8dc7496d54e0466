// Writes the studio's bundled sample set: the first images of four Fashion-MNIST classes from the Debian
// copy (/usr/share/datasets/fashion-mnist, see scripts/test-assets.sh), as 28×28 grey PNGs, plus an index.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Buffer } from 'node:buffer';
import sharp from 'sharp';

const out = join(dirname(new URL(import.meta.url).pathname), '..', 'public', 'samples');
const dir = '/usr/share/datasets/fashion-mnist';
const images = gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz')));
const labels = gunzipSync(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz')));
const CLASSES = { 1: 'trouser', 5: 'sandal', 7: 'sneaker', 8: 'bag' };
const PER_CLASS = 16;
rmSync(out, { recursive: true, force: true });
const index = {};
for (const [label, name] of Object.entries(CLASSES)) {
  mkdirSync(join(out, name), { recursive: true });
  index[name] = [];
  for (let i = 0; i < 10000 && index[name].length < PER_CLASS; i++) {
    if (labels[8 + i] !== Number(label)) continue;
    const file = `${String(i).padStart(4, '0')}.png`;
    const pixels = images.subarray(16 + i * 784, 16 + (i + 1) * 784);
    writeFileSync(join(out, name, file), await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer());
    index[name].push(file);
  }
}
writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
console.log(`wrote ${Object.values(index).flat().length} images to ${out}`);
