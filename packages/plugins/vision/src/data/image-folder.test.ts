import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { classificationTask, nodeEnvironment, prepareData, silentLogger, type TaskPlan } from '@graft/core/internal';
import { imageFolder } from './image-folder.js';

let root: string;
const ctx = () => ({ configDir: root, seed: 0, log: silentLogger, env: nodeEnvironment(), where: 'tasks[0].data' });

/** A solid-colour image of `w × h` pixels. */
function solid(w: number, h: number, rgb: [number, number, number], format: 'png' | 'jpeg'): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })[format]().toBuffer();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'graft-folder-'));
  for (const [cls, rgb] of [['red', [255, 0, 0]], ['blue', [0, 0, 255]]] as const) {
    await mkdir(join(root, 'pets', cls), { recursive: true });
    for (let i = 0; i < 5; i++) {
      await writeFile(join(root, 'pets', cls, `${i}.${i % 2 ? 'png' : 'jpg'}`), await solid(20 + i, 10, [...rgb], i % 2 ? 'png' : 'jpeg'));
    }
  }
  await writeFile(join(root, 'pets', 'red', 'broken.png'), Buffer.from('not a png at all'));
  await writeFile(join(root, 'pets', 'red', 'notes.txt'), 'ignored: not an image extension');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('vision/image-folder', () => {
  it('decodes PNG and JPEG per class folder, resized, and reports a corrupt file', async () => {
    const d = await imageFolder.load(imageFolder.options.parse({ path: 'pets', size: 8, testFraction: 0.2 }), ctx());
    expect(d.targets.label).toEqual({ kind: 'classes', classes: ['blue', 'red'] });
    expect(d.train.size).toBe(8);
    expect(d.test!.size).toBe(2);
    expect(d.train.inputs.image!.shape).toEqual([8, 8, 8, 3]);
    expect(d.notes).toEqual([`images resized to 8×8 (\`size\`); a source with another input size resizes them again, so set \`size\` to the source's input size to resize once.`, `1 of 11 images in ${join(root, 'pets')} could not be decoded and were skipped: red/broken.png.`]);
    // Each image is its class colour (JPEG may be off by a few levels).
    const px = d.train.inputs.image!.data;
    for (let i = 0; i < d.train.size; i++) {
      const want = d.train.targets.label!.data[i] === 0 ? [0, 0, 255] : [255, 0, 0];
      const at = i * 8 * 8 * 3 + (4 * 8 + 4) * 3;
      for (let c = 0; c < 3; c++) expect(Math.abs(px[at + c]! - want[c]!)).toBeLessThan(8);
    }
  });

  it('reads grey images when asked', async () => {
    const d = await imageFolder.load(imageFolder.options.parse({ path: 'pets', size: 4, channels: 1 }), ctx());
    expect(d.train.inputs.image!.shape.slice(1)).toEqual([4, 4, 1]);
  });

  it('fails on a corrupt image when strict, naming it', async () => {
    const e = await imageFolder.load(imageFolder.options.parse({ path: 'pets', strict: true }), ctx()).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^GRAFT_DATA_INVALID: An image could not be decoded at .*red\/broken\.png\. /);
  });

  it('refuses an empty class folder and a folder without class folders', async () => {
    await mkdir(join(root, 'pets', 'empty'));
    const e = await imageFolder.load(imageFolder.options.parse({ path: 'pets' }), ctx()).catch((x: unknown) => x);
    await rm(join(root, 'pets', 'empty'), { recursive: true });
    expect((e as Error).message).toContain(`GRAFT_DATA_INVALID: Class folder "empty" has no images at tasks[0].data.path (${join(root, 'pets', 'empty')})`);
    const flat = await imageFolder.load(imageFolder.options.parse({ path: 'pets/red' }), ctx()).catch((x: unknown) => x);
    expect((flat as Error).message).toContain('has no class folders');
  });

  it('follows a class folder and an image that are symbolic links', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'graft-shared-class-'));
    for (let i = 0; i < 3; i++) await writeFile(join(shared, `${i}.png`), await solid(6, 6, [0, 255, 0], 'png'));
    const dir = join(root, 'linked');
    for (const cls of ['red', 'blue']) {
      await mkdir(join(dir, cls), { recursive: true });
      for (let i = 0; i < 3; i++) await writeFile(join(dir, cls, `${i}.png`), await solid(6, 6, cls === 'red' ? [255, 0, 0] : [0, 0, 255], 'png'));
    }
    await symlink(shared, join(dir, 'green'));
    await symlink(join(shared, '0.png'), join(dir, 'red', 'linked.png'));
    const d = await imageFolder.load(imageFolder.options.parse({ path: 'linked', size: 4, testFraction: 0.3 }), ctx());
    expect(d.targets.label).toEqual({ kind: 'classes', classes: ['blue', 'green', 'red'] });
    expect(d.train.size + d.test!.size).toBe(10);
  });

  it('skips a 0-byte image with a note that is logged before training', async () => {
    const dir = join(root, 'empty-file');
    for (const cls of ['a', 'b']) {
      await mkdir(join(dir, cls), { recursive: true });
      for (let i = 0; i < 3; i++) await writeFile(join(dir, cls, `${i}.png`), await solid(6, 6, [9, 9, 9], 'png'));
    }
    await writeFile(join(dir, 'a', 'zero.png'), '');
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), debug() {} };
    const plan: TaskPlan = {
      name: 't',
      type: classificationTask,
      data: { plugin: imageFolder, options: imageFolder.options.parse({ path: 'empty-file', size: 4 }), key: 'k', where: 'tasks[0].data' },
      head: { hidden: [], dropout: 0 },
    };
    const data = await prepareData([plan], { seed: 0, configDir: root, env: nodeEnvironment({ log }) });
    const note = `tasks[0].data: 1 of 7 images in ${join(root, 'empty-file')} could not be decoded and were skipped: a/zero.png.`;
    expect(data.notes).toContain(note);
    expect(lines).toContain(note);
  });
});
