import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { nodeEnvironment, silentLogger } from '@graft/core/internal';
import { fontDigits, place, renderFontDigits } from './font-digits.js';
import { readFontFace } from './font-names.js';

const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf';
const faceFiles = existsSync('/usr/share/fonts')
  ? readdirSync('/usr/share/fonts', { recursive: true }).filter((f) => /\.(ttf|otf)$/i.test(String(f))).length
  : 0;
// Missing fonts: these tests skip, except in CI (CI=1) where they fail.
const hasFonts = (existsSync(DEJAVU) && faceFiles >= 40) || !!process.env.CI;
if (!hasFonts) console.warn(`Skipping the font-digits rendering tests: ${faceFiles} font files (run packages/plugins/vision/scripts/fetch-test-assets.sh).`);

describe('readFontFace', () => {
  it.skipIf(!hasFonts)('reads the family and style from the name table', async () => {
    expect(readFontFace(new Uint8Array(await readFile(DEJAVU)))).toEqual({ family: 'DejaVu Serif', style: 'Bold Italic' });
  });
  it('returns undefined for a file that is not a font', () => {
    expect(readFontFace(new TextEncoder().encode('definitely not a font file'))).toBeUndefined();
  });
});

describe('place', () => {
  it('centres the ink in a 20/28 box and rotates it', () => {
    // A 10×40 vertical bar of ink in a 60×60 glyph.
    const data = new Uint8Array(60 * 60);
    for (let y = 5; y < 45; y++) for (let x = 30; x < 40; x++) data[y * 60 + x] = 255;
    const glyph = { data, width: 60, height: 60 };
    const upright = place(glyph, 28, { angle: 0, scale: 1, dx: 0, dy: 0 });
    const inkRows = [...Array(28).keys()].filter((y) => upright.subarray(y * 28, y * 28 + 28).some((v) => v > 128));
    const inkCols = [...Array(28).keys()].filter((x) => [...Array(28).keys()].some((y) => upright[y * 28 + x]! > 128));
    expect(inkRows).toEqual([...Array(20).keys()].map((i) => i + 4)); // 40 px tall → 20 rows, centred
    // 10 px wide → 5 px centred on 14: columns 12–15 full, 11 and 16 half covered (anti-aliased).
    expect(inkCols).toEqual([12, 13, 14, 15]);
    for (const x of [11, 16]) expect(Math.abs(upright[14 * 28 + x]! - 128)).toBeLessThan(8);
    const lying = place(glyph, 28, { angle: 90, scale: 1, dx: 0, dy: 0 });
    const lyingRows = [...Array(28).keys()].filter((y) => lying.subarray(y * 28, y * 28 + 28).some((v) => v > 128));
    expect(lyingRows).toEqual([12, 13, 14, 15]);
  });
});

describe.skipIf(!hasFonts)('vision/font-digits', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'graft-fonts-'));
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));
  const ctx = { configDir: '/', seed: 3, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' };

  it('renders ten digits per distinct face, caches them, and tests on faces it did not train on', async () => {
    const o = fontDigits.options.parse({ maxFaces: 10, variants: 2, cacheDir, testFraction: 0.2 });
    const pool = await renderFontDigits(o, '/', 'data');
    expect(pool.faces).toHaveLength(10);
    expect(new Set(pool.faces.map((f) => `${f.family} ${f.style}`)).size).toBe(10);
    expect(pool.face.length).toBe(10 * 2 * 10);
    expect(Array.from(pool.targets.label!.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // Every image has ink, and none is blank or saturated.
    for (let i = 0; i < pool.face.length; i++) {
      const img = pool.pixels.subarray(i * 784, (i + 1) * 784);
      const ink = Array.from(img).filter((v) => v > 128).length;
      expect(ink).toBeGreaterThan(10);
      expect(ink).toBeLessThan(400);
    }
    const again = await renderFontDigits(o, '/', 'data');
    expect(Buffer.compare(Buffer.from(again.pixels), Buffer.from(pool.pixels))).toBe(0);

    const d = await fontDigits.load(o, ctx);
    // 2 of 10 faces held out, 2 renders of 10 digits each.
    expect(d.train.size).toBe(8 * 2 * 10);
    expect(d.test!.size).toBe(2 * 2 * 10);
    expect(d.train.inputs.image!.shape).toEqual([160, 28, 28, 1]);
    expect(d.notes).toEqual(['10 font faces (8 for training, 2 held out for testing), 2 render(s) per digit.']);
  });

  it('says how to get fonts when there are none', async () => {
    const e = await renderFontDigits(fontDigits.options.parse({ fontDirs: [cacheDir], cacheDir }), '/', 'tasks[0].data').catch((x: unknown) => x);
    expect((e as Error).message).toContain(`GRAFT_DATA_NOT_FOUND: Found 0 usable font face(s) in ${cacheDir} at tasks[0].data.`);
    expect((e as Error).message).toContain('sudo apt-get install fonts-dejavu');
  });
});
