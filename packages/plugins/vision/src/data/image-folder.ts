import { readdir, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { GraftError, deriveSeed, type DatasetProvider } from '@graft/core';
import { allIndices, imageDataset, seedOption, type LabelledImages, augmentOption } from './labelled-images.js';
import { holdOutPerClass } from './split.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff']);

const options = z.strictObject({
  ...augmentOption,
  /** Directory with one sub-directory of images per class (relative to the config file). */
  path: z.string().min(1).describe('Directory with one folder of images per class.'),
  /** A separate test directory of the same layout; without it, `testFraction` of each class is held out. */
  testPath: z.string().min(1).optional().describe('Test directory with the same class folders.'),
  /** Images are resized to `size × size`. @default 64 */
  size: z.number().int().min(4).max(1024).default(64).describe('Side length images are resized to.'),
  /** 1 = grey, 3 = RGB. @default 3 */
  channels: z.union([z.literal(1), z.literal(3)]).default(3).describe('1 (grey) or 3 (RGB).'),
  /** How the aspect ratio is handled: crop to fill (`cover`), pad (`contain`) or stretch (`fill`). @default 'cover' */
  fit: z.enum(['cover', 'contain', 'fill']).default('cover').describe('Resize mode.'),
  /** Fail on an image that cannot be decoded instead of skipping it (skips are listed in the report). @default false */
  strict: z.boolean().default(false).describe('Fail on undecodable images instead of skipping them.'),
  ...seedOption,
  /** Fraction of each class held out as the test split when there is no `testPath`. @default 0.2 */
  testFraction: z.number().gt(0).lt(1).default(0.2).describe('Fraction of each class held out for testing (without testPath).'),
});

export type ImageFolderOptions = z.output<typeof options>;

/** Images in one folder per class (`flowers/daisy/*.jpg`, `flowers/rose/*.png`), decoded with sharp. */
export const imageFolder: DatasetProvider<ImageFolderOptions> = {
  name: 'vision/image-folder',
  description: 'One folder of PNG/JPEG images per class, decoded and resized with sharp.',
  options,
  async load(o, ctx) {
    const seed = o.seed ?? ctx.seed;
    // The loader cannot know the source's input size; say that a mismatch means a second resize.
    const notes: string[] = [`images resized to ${o.size}×${o.size} (\`size\`); a source with another input size resizes them again, so set \`size\` to the source's input size to resize once.`];
    const trainDir = resolve(ctx.configDir, o.path);
    const classes = await classFolders(trainDir, `${ctx.where}.path`);
    const train = await readImages(trainDir, classes, o, `${ctx.where}.path`, notes);
    const classNames = { label: { kind: 'classes' as const, classes } };
    if (!o.testPath) {
      const { kept, held } = holdOutPerClass(train.targets.label!, allIndices(train.targets.label!.length), o.testFraction, deriveSeed(seed, 0x7e57));
      return imageDataset({ augment: o.augment, targets: classNames, train: { pool: train, indices: kept }, test: { pool: train, indices: held }, notes });
    }
    const testDir = resolve(ctx.configDir, o.testPath);
    const testClasses = await classFolders(testDir, `${ctx.where}.testPath`);
    const extra = testClasses.filter((c) => !classes.includes(c));
    if (extra.length > 0) {
      throw new GraftError('GRAFT_LABELS_MISMATCH', {
        what: `The test directory has classes the training directory lacks: ${extra.join(', ')}`,
        where: `${ctx.where}.testPath`,
        choices: classes,
      });
    }
    const test = await readImages(testDir, testClasses, o, `${ctx.where}.testPath`, notes, classes);
    return imageDataset({
      augment: o.augment,
      targets: classNames,
      train: { pool: train, indices: allIndices(train.targets.label!.length) },
      test: { pool: test, indices: allIndices(test.targets.label!.length) },
      notes,
    });
  },
};

async function classFolders(dir: string, where: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `Image folder ${dir} does not exist or cannot be read`, where, cause });
  }
  // Class folders may be symbolic links (a class shared between datasets): they are followed.
  const classes = (await kinds(dir, entries.filter((e) => !e.name.startsWith('.')))).filter((e) => e.kind === 'dir').map((e) => e.name).sort();
  if (classes.length < 2) {
    throw new GraftError('GRAFT_DATA_INVALID', {
      what: `Image folder ${dir} has ${classes.length === 0 ? 'no class folders' : `only one class folder (${classes[0]})`}`,
      where,
      fix: 'Put the images of each class in their own sub-folder: <path>/<class name>/<image>.png',
    });
  }
  return classes;
}

/** Decode every image under `dir/<class>/`; corrupt ones are skipped and noted, or an error when strict. */
async function readImages(
  dir: string,
  classes: string[],
  o: ImageFolderOptions,
  where: string,
  notes: string[],
  labelOrder: string[] = classes,
): Promise<LabelledImages> {
  const files: { file: string; label: number }[] = [];
  for (const name of classes) {
    const folder = join(dir, name);
    const candidates = (await readdir(folder, { withFileTypes: true })).filter((e) => IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()));
    const images = (await kinds(folder, candidates)).filter((e) => e.kind === 'file').map((e) => e.name).sort();
    if (images.length === 0) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Class folder "${name}" has no images`,
        where: `${where} (${folder})`,
        why: `Only ${[...IMAGE_EXTENSIONS].join(', ')} files are read`,
        fix: 'Add images to it or remove the folder',
      });
    }
    for (const image of images) files.push({ file: join(folder, image), label: labelOrder.indexOf(name) });
  }
  const per = o.size * o.size * o.channels;
  const decoded: (Uint8Array | undefined)[] = new Array(files.length);
  const failed: string[] = [];
  const batch = 16;
  for (let start = 0; start < files.length; start += batch) {
    await Promise.all(
      files.slice(start, start + batch).map(async ({ file }, k) => {
        try {
          decoded[start + k] = await decode(file, o);
        } catch (cause) {
          if (o.strict) {
            throw new GraftError('GRAFT_DATA_INVALID', {
              what: 'An image could not be decoded',
              where: file,
              why: (cause as Error).message,
              fix: 'Replace or delete the file, or set `strict: false` to skip such files',
              cause,
            });
          }
          failed.push(relative(dir, file));
        }
      }),
    );
  }
  const kept = files.map((f, i) => ({ ...f, pixels: decoded[i] })).filter((f) => f.pixels !== undefined);
  for (const [label, name] of labelOrder.entries()) {
    if (classes.includes(name) && !kept.some((f) => f.label === label)) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `Class folder "${name}" has no image that could be decoded`, where: `${where} (${join(dir, name)})` });
    }
  }
  if (failed.length > 0) {
    failed.sort();
    notes.push(`${failed.length} of ${files.length} images in ${dir} could not be decoded and were skipped: ${failed.slice(0, 10).join(', ')}${failed.length > 10 ? ', …' : ''}.`);
  }
  const pixels = new Uint8Array(kept.length * per);
  kept.forEach((f, i) => pixels.set(f.pixels!, i * per));
  return { pixels, imageShape: [o.size, o.size, o.channels], targets: { label: Int32Array.from(kept, (f) => f.label) } };
}

/** What each entry is, following symbolic links (a dangling link is neither a file nor a folder). */
async function kinds(dir: string, entries: Dirent[]): Promise<{ name: string; kind: 'file' | 'dir' | 'other' }[]> {
  return Promise.all(
    entries.map(async (e) => {
      if (!e.isSymbolicLink()) return { name: e.name, kind: e.isFile() ? ('file' as const) : e.isDirectory() ? ('dir' as const) : ('other' as const) };
      const target = await stat(join(dir, e.name)).catch(() => undefined);
      return { name: e.name, kind: target?.isFile() ? ('file' as const) : target?.isDirectory() ? ('dir' as const) : ('other' as const) };
    }),
  );
}

async function decode(file: string, o: ImageFolderOptions): Promise<Uint8Array> {
  let image = sharp(file, { failOn: 'error' }).rotate().removeAlpha().resize(o.size, o.size, { fit: o.fit, background: { r: 0, g: 0, b: 0 } });
  image = o.channels === 1 ? image.greyscale() : image.toColourspace('srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== o.channels) throw new Error(`decoded to ${info.channels} channels, expected ${o.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
