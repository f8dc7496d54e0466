import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { nodeEnvironment, silentLogger } from '@graft/core/internal';
import { digits, parseDigitsCsv } from './digits.js';
import { sklearnDigitsFile } from './public-files.js';

const ctx = { configDir: process.cwd(), seed: 0, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' };
// Debian's copy (unpacked by scripts/test-assets.sh). Missing: the test skips, except in CI where it fails.
const available = sklearnDigitsFile().localCopies!.some((p) => existsSync(p)) || !!process.env.CI;
if (!available) console.warn('Skipping the scikit-learn digits test: run scripts/test-assets.sh.');

describe('vision/digits', () => {
  it('parses rows of 64 counts and a label, scaling 0..16 to 0..255', () => {
    const row = [...Array(63).fill(0), 16, 7].join(',');
    const pool = parseDigitsCsv(new TextEncoder().encode(`${row}\n${row}\n`), 'd.csv');
    expect(pool.imageShape).toEqual([8, 8, 1]);
    expect(Array.from(pool.targets.label!)).toEqual([7, 7]);
    expect(pool.pixels[63]).toBe(255);
    expect(() => parseDigitsCsv(new TextEncoder().encode('1,2,3\n'), 'd.csv')).toThrow(
      'GRAFT_DATA_INVALID: Line 1 of the digits file is not 64 pixel counts (0..16) and a label (0..9) at d.csv.',
    );
  });

  it.skipIf(!available)("loads scikit-learn's 1,797 digits with a stratified test split", async () => {
    const d = await digits.load(digits.options.parse({}), ctx);
    // 30% of each class (178, 182, 177, 183, 181, 182, 181, 179, 174, 180 images), rounded.
    expect(d.test!.size).toBe(53 + 55 + 53 + 55 + 54 + 55 + 54 + 54 + 52 + 54);
    expect(d.train.size).toBe(1797 - d.test!.size);
    expect(d.train.inputs.image!.shape).toEqual([d.train.size, 8, 8, 1]);
    const max = Math.max(...(d.train.inputs.image!.data as Float32Array));
    expect(max).toBe(255);
  });

  it('says what to do when the file given is absent', async () => {
    const e = await digits.load(digits.options.parse({ path: '/nonexistent/digits.csv.gz' }), ctx).catch((x: unknown) => x);
    expect((e as Error).message).toBe(
      "GRAFT_DATA_NOT_FOUND: scikit-learn's digits.csv.gz not found at /nonexistent/digits.csv.gz at tasks[0].data.path. " +
        'Check `path`, or leave it out to download the public copy into the cache.',
    );
  });
});
