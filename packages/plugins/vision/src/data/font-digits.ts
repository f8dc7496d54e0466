import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { GraftError, Rng, deriveSeed, type DatasetProvider } from '@graft/core';
import { writeFileAtomic } from '../io/atomic.js';
import { defaultCacheDir } from '../io/cache-dir.js';
import { readFontFace, type FontFace } from './font-names.js';
import { imageDataset, seedOption, type LabelledImages, augmentOption } from './labelled-images.js';
import { holdOutPerClass } from './split.js';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Faces whose "digits" are pictures, not digits. */
const NOT_DIGITS = /dingbat|symbol|emoji|music|ornament|awesome|icons?\b|D050000L|wingding|webding/i;
const FORMAT_VERSION = 1;
const SYSTEM_FONT_DIRS = ['/usr/share/fonts/', '/usr/local/share/fonts/'];

const options = z.strictObject({
  ...augmentOption,
  /** Directories searched (recursively) for .ttf and .otf faces. @default ['/usr/share/fonts'] */
  fontDirs: z.array(z.string().min(1)).min(1).default(['/usr/share/fonts']).describe('Directories searched for .ttf/.otf faces.'),
  /** Side of the square images; the digit fits a box of 20/28 of it, as in MNIST. @default 28 */
  size: z.number().int().min(8).max(128).default(28).describe('Image side length (28 like MNIST, or 32).'),
  /** Renders per face and digit: the first upright and centred, the others rotated, scaled and shifted a little. @default 2 */
  variants: z.number().int().min(1).max(16).default(2).describe('Renders per face and digit (extra ones jittered).'),
  /** Use at most this many faces (chosen evenly from the sorted list). @default all */
  maxFaces: z.number().int().min(2).optional().describe('Use at most this many faces.'),
  ...seedOption,
  /** Fraction of the *faces* held out for testing, so the test measures unseen fonts. @default 0.2 */
  testFraction: z.number().gt(0).lt(1).default(0.2).describe('Fraction of the font faces held out for testing.'),
  /** Where rendered arrays are cached. @default `<GRAFT_CACHE>/font-digits` */
  cacheDir: z.string().min(1).optional().describe('Cache directory for the rendered images.'),
});

export type FontDigitsOptions = z.output<typeof options>;

/** Rendered digits: the pool plus, per sample, the face it came from. */
export interface FontDigitPool extends LabelledImages {
  faces: FontFace[];
  /** Index into `faces` of each sample. */
  face: Int32Array;
}

/**
 * Digits 0–9 rendered from every font face installed (hundreds with Debian's font packages): a large,
 * varied source task for pretraining before a small handwritten-digit target. Faces that render no
 * digits of their own (Pango falls back to another face) are dropped as duplicates.
 */
export const fontDigits: DatasetProvider<FontDigitsOptions> = {
  name: 'vision/font-digits',
  localData:
    'the font files installed here (`fontDirs`, default /usr/share/fonts; any folder of .ttf/.otf works, e.g. fonts unpacked ' +
    'with `apt-get download fonts-dejavu-core && dpkg-deb -x`). Not downloaded: it renders whatever faces a machine has ' +
    '(hundreds from some 25 Debian font packages), which no single public file with stable bytes holds.',
  description: 'Digits 0–9 rendered from the installed font faces (grey, 28×28 by default); test on unseen faces.',
  options,
  async load(o, ctx) {
    const seed = o.seed ?? ctx.seed;
    const pool = await renderFontDigits(o, ctx.configDir, ctx.where, (m) => ctx.log.info(m));
    const faceIds = Int32Array.from({ length: pool.faces.length }, (_, i) => i);
    // Hold out whole faces: a split by face, drawn with the run's seed.
    const { held } = holdOutPerClass(new Int32Array(pool.faces.length), faceIds, o.testFraction, deriveSeed(seed, 0xf0e7));
    const testFaces = new Set(held);
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    pool.face.forEach((f, i) => (testFaces.has(f) ? testIdx : trainIdx).push(i));
    return imageDataset({
      augment: o.augment,
      targets: { label: { kind: 'classes', classes: [...DIGITS] } },
      train: { pool, indices: trainIdx },
      test: { pool, indices: testIdx },
      notes: [`${pool.faces.length} font faces (${pool.faces.length - testFaces.size} for training, ${testFaces.size} held out for testing), ${o.variants} render(s) per digit.`],
    });
  },
};

/** Render (or read from the cache) the digits of every usable face. */
export async function renderFontDigits(
  o: Pick<FontDigitsOptions, 'fontDirs' | 'size' | 'variants' | 'maxFaces' | 'cacheDir'>,
  baseDir: string,
  where: string,
  info: (message: string) => void = () => {},
): Promise<FontDigitPool> {
  const dirs = o.fontDirs.map((d) => resolve(baseDir, d));
  let files = (await Promise.all(dirs.map(listFonts))).flat().sort();
  if (o.maxFaces !== undefined && files.length > o.maxFaces * 2) {
    // Twice the faces asked for, spread over the list; duplicates and unusable ones are dropped below.
    const step = files.length / (o.maxFaces * 2);
    files = Array.from({ length: o.maxFaces * 2 }, (_, i) => files[Math.floor(i * step)]!);
  }
  const stats = await Promise.all(files.map((f) => stat(f)));
  const key = createHash('sha256')
    .update(JSON.stringify({ v: FORMAT_VERSION, size: o.size, variants: o.variants, maxFaces: o.maxFaces, files: files.map((f, i) => [f, stats[i]!.size, stats[i]!.mtimeMs]) }))
    .digest('hex')
    .slice(0, 24);
  const cacheFile = join(o.cacheDir ? resolve(baseDir, o.cacheDir) : join(defaultCacheDir(), 'font-digits'), `${key}.bin`);
  const cached = await readCache(cacheFile);
  if (cached) return cached;

  info(`Rendering digits from ${files.length} font files (cached afterwards in ${cacheFile}).`);
  const per = o.size * o.size;
  const faces: FontFace[] = [];
  const chunks: Uint8Array[] = [];
  const seen = new Set<string>();
  const rng = new Rng(0x5eed);
  for (const file of files) {
    const face = readFontFace(new Uint8Array(await readFile(file)));
    if (!face || NOT_DIGITS.test(`${face.family} ${face.style}`)) continue;
    let images: Uint8Array;
    try {
      images = await renderFace(file, face, o.size, o.variants, rng);
    } catch {
      continue; // A face Pango cannot lay out is not a face we can learn from.
    }
    const hash = createHash('sha256').update(images.subarray(0, 10 * per)).digest('hex');
    if (seen.has(hash)) continue;
    seen.add(hash);
    faces.push(face);
    chunks.push(images);
    if (o.maxFaces !== undefined && faces.length === o.maxFaces) break;
  }
  if (faces.length < 2) {
    throw new GraftError('GRAFT_DATA_NOT_FOUND', {
      what: `Found ${faces.length} usable font face(s) in ${dirs.join(', ')}`,
      where,
      why: 'vision/font-digits needs many faces to render digits from',
      fix: 'On Debian or Ubuntu: `sudo apt-get install fonts-dejavu fonts-liberation fonts-noto-core fonts-urw-base35 fonts-texgyre` (or run packages/plugins/vision/scripts/fetch-test-assets.sh), or set `fontDirs`',
    });
  }
  const n = chunks.length * 10 * o.variants;
  const pixels = new Uint8Array(n * per);
  chunks.forEach((c, i) => pixels.set(c, i * c.byteLength));
  const label = new Int32Array(n);
  const face = new Int32Array(n);
  for (let f = 0; f < chunks.length; f++) {
    for (let v = 0; v < o.variants; v++) {
      for (let d = 0; d < 10; d++) {
        const i = (f * o.variants + v) * 10 + d;
        label[i] = d;
        face[i] = f;
      }
    }
  }
  const pool: FontDigitPool = { pixels, imageShape: [o.size, o.size, 1], targets: { label }, faces, face };
  await writeCache(cacheFile, pool);
  return pool;
}

async function listFonts(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && ['.ttf', '.otf'].includes(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** The face's ten digits, `variants` times: `[variants × 10, size, size]` grey, white on black. */
async function renderFace(file: string, face: FontFace, size: number, variants: number, rng: Rng): Promise<Uint8Array> {
  const per = size * size;
  const out = new Uint8Array(variants * 10 * per);
  const font = `${face.family}, ${face.style} ${Math.max(24, size * 2)}`;
  for (let d = 0; d < 10; d++) {
    // Faces fontconfig already knows are found by name; registering the file again costs 2 ms a render.
    const text = SYSTEM_FONT_DIRS.some((dir) => file.startsWith(dir)) ? { text: DIGITS[d]!, font, dpi: 72 } : { text: DIGITS[d]!, font, fontfile: file, dpi: 72 };
    const { data, info } = await sharp({ text })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const glyph = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
    for (let v = 0; v < variants; v++) {
      const jitter = v === 0 ? { angle: 0, scale: 1, dx: 0, dy: 0 } : { angle: (rng.next() - 0.5) * 24, scale: 0.75 + 0.25 * rng.next(), dx: rng.int(5) - 2, dy: rng.int(5) - 2 };
      out.set(place(glyph, size, jitter), (v * 10 + d) * per);
    }
  }
  return out;
}

/**
 * Fit the glyph's ink into a box of 20/28 of the side (MNIST's layout), centred, after the jitter:
 * each output pixel averages 4×4 bilinear samples of the rotated, scaled glyph, so the downscale is
 * anti-aliased.
 */
export function place(
  glyph: { data: Uint8Array; width: number; height: number },
  size: number,
  j: { angle: number; scale: number; dx: number; dy: number },
): Uint8Array {
  const box = inkBox(glyph.data, glyph.width, glyph.height);
  if (!box) throw new Error('no ink');
  const rad = (j.angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const rotatedW = Math.abs(box.width * cos) + Math.abs(box.height * sin);
  const rotatedH = Math.abs(box.width * sin) + Math.abs(box.height * cos);
  const s = ((size * 20) / 28) * j.scale / Math.max(rotatedW, rotatedH);
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  const ox = size / 2 + j.dx;
  const oy = size / 2 + j.dy;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= glyph.width || y >= glyph.height ? 0 : glyph.data[y * glyph.width + x]!);
  const sample = (x: number, y: number) => {
    const x0 = Math.floor(x - 0.5);
    const y0 = Math.floor(y - 0.5);
    const tx = x - 0.5 - x0;
    const ty = y - 0.5 - y0;
    return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) + (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
  };
  const out = new Uint8Array(size * size);
  const sub = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let sy = 0; sy < sub; sy++) {
        for (let sx = 0; sx < sub; sx++) {
          const u = (x + (sx + 0.5) / sub - ox) / s;
          const v = (y + (sy + 0.5) / sub - oy) / s;
          sum += sample(cx + u * cos + v * sin, cy - u * sin + v * cos);
        }
      }
      out[y * size + x] = Math.round(sum / (sub * sub));
    }
  }
  return out;
}

function inkBox(data: Uint8Array, width: number, height: number): { left: number; top: number; width: number; height: number } | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > 16) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Cache file: "GFD1", uint32 header length, JSON header (faces, shape), then labels, face ids, pixels. */
async function writeCache(file: string, pool: FontDigitPool): Promise<void> {
  const header = new TextEncoder().encode(JSON.stringify({ faces: pool.faces, imageShape: pool.imageShape, n: pool.face.length }));
  const n = pool.face.length;
  const out = new Uint8Array(8 + header.byteLength + 8 * n + pool.pixels.byteLength);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('GFD1'), 0);
  view.setUint32(4, header.byteLength, true);
  out.set(header, 8);
  let at = 8 + header.byteLength;
  for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, pool.targets.label![i]!, true);
  at += 4 * n;
  for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, pool.face[i]!, true);
  at += 4 * n;
  out.set(pool.pixels as Uint8Array, at);
  await writeFileAtomic(file, out);
}

async function readCache(file: string): Promise<FontDigitPool | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch {
    return undefined;
  }
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'GFD1') return undefined;
    const headerLength = view.getUint32(4, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    const n: number = header.n;
    const [h, w, c] = header.imageShape as [number, number, number];
    let at = 8 + headerLength;
    if (bytes.byteLength !== at + 8 * n + n * h * w * c) return undefined;
    const label = new Int32Array(n);
    const face = new Int32Array(n);
    for (let i = 0; i < n; i++) label[i] = view.getInt32(at + 4 * i, true);
    at += 4 * n;
    for (let i = 0; i < n; i++) face[i] = view.getInt32(at + 4 * i, true);
    at += 4 * n;
    return { pixels: bytes.slice(at), imageShape: [h, w, c], targets: { label }, faces: header.faces, face };
  } catch {
    return undefined; // A damaged cache file is rendered again.
  }
}
