import { z } from 'zod';
import { GraftError, deriveSeed, type DatasetProvider, type FileStore } from '@graft/core';
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

/** Decodes an image file's bytes to `size × size × channels` pixels (row-major, u8); throws on a broken file. */
export type ImageDecoder = (bytes: Uint8Array, o: Pick<ImageFolderOptions, 'size' | 'channels' | 'fit'>) => Promise<Uint8Array>;

/**
 * `vision/image-folder` with a given decoder: images in one folder per class (`flowers/daisy/*.jpg`,
 * `flowers/rose/*.png`), read through the environment's files (Node's disk, or the files a page was given).
 */
export function imageFolderWith(decode: ImageDecoder, decoderName: string): DatasetProvider<ImageFolderOptions> {
  return {
  name: 'vision/image-folder',
  description: `One folder of PNG/JPEG images per class, decoded and resized with ${decoderName}.`,
  options,
  async load(o, ctx) {
    const files = ctx.env.files;
    const seed = o.seed ?? ctx.seed;
    // The loader cannot know the source's input size; say that a mismatch means a second resize.
    const notes: string[] = [`images resized to ${o.size}×${o.size} (\`size\`); a source with another input size resizes them again, so set \`size\` to the source's input size to resize once.`];
    const trainDir = files.resolve(ctx.configDir, o.path);
    const classes = await classFolders(files, trainDir, `${ctx.where}.path`);
    const train = await readImages(files, decode, trainDir, classes, o, `${ctx.where}.path`, notes);
    const classNames = { label: { kind: 'classes' as const, classes } };
    if (!o.testPath) {
      const { kept, held } = holdOutPerClass(train.targets.label!, allIndices(train.targets.label!.length), o.testFraction, deriveSeed(seed, 0x7e57));
      return imageDataset({ augment: o.augment, targets: classNames, train: { pool: train, indices: kept }, test: { pool: train, indices: held }, notes });
    }
    const testDir = files.resolve(ctx.configDir, o.testPath);
    const testClasses = await classFolders(files, testDir, `${ctx.where}.testPath`);
    const extra = testClasses.filter((c) => !classes.includes(c));
    if (extra.length > 0) {
      throw new GraftError('GRAFT_LABELS_MISMATCH', {
        what: `The test directory has classes the training directory lacks: ${extra.join(', ')}`,
        where: `${ctx.where}.testPath`,
        choices: classes,
      });
    }
    const test = await readImages(files, decode, testDir, testClasses, o, `${ctx.where}.testPath`, notes, classes);
    return imageDataset({
      augment: o.augment,
      targets: classNames,
      train: { pool: train, indices: allIndices(train.targets.label!.length) },
      test: { pool: test, indices: allIndices(test.targets.label!.length) },
      notes,
    });
  },
  };
}

async function classFolders(files: FileStore, dir: string, where: string): Promise<string[]> {
  if ((await files.stat(dir))?.kind !== 'directory') {
    throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `Image folder ${dir} does not exist or cannot be read`, where });
  }
  // Class folders may be symbolic links (a class shared between datasets): `stat` follows them.
  const classes: string[] = [];
  for (const name of await files.list(dir)) {
    if (!name.startsWith('.') && (await files.stat(files.resolve(dir, name)))?.kind === 'directory') classes.push(name);
  }
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
  store: FileStore,
  decode: ImageDecoder,
  dir: string,
  classes: string[],
  o: ImageFolderOptions,
  where: string,
  notes: string[],
  labelOrder: string[] = classes,
): Promise<LabelledImages> {
  const files: { file: string; label: number }[] = [];
  for (const name of classes) {
    const folder = store.resolve(dir, name);
    const images: string[] = [];
    for (const entry of await store.list(folder)) {
      if (IMAGE_EXTENSIONS.has(extension(entry)) && (await store.stat(store.resolve(folder, entry)))?.kind === 'file') images.push(entry);
    }
    if (images.length === 0) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Class folder "${name}" has no images`,
        where: `${where} (${folder})`,
        why: `Only ${[...IMAGE_EXTENSIONS].join(', ')} files are read`,
        fix: 'Add images to it or remove the folder',
      });
    }
    for (const image of images) files.push({ file: store.resolve(folder, image), label: labelOrder.indexOf(name) });
  }
  const per = o.size * o.size * o.channels;
  const decoded: (Uint8Array | undefined)[] = new Array(files.length);
  const failed: string[] = [];
  const batch = 16;
  for (let start = 0; start < files.length; start += batch) {
    await Promise.all(
      files.slice(start, start + batch).map(async ({ file }, k) => {
        try {
          decoded[start + k] = await decode((await store.read(file))!, o);
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
          failed.push(file.slice(dir.length + 1));
        }
      }),
    );
  }
  const kept = files.map((f, i) => ({ ...f, pixels: decoded[i] })).filter((f) => f.pixels !== undefined);
  for (const [label, name] of labelOrder.entries()) {
    if (classes.includes(name) && !kept.some((f) => f.label === label)) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `Class folder "${name}" has no image that could be decoded`, where: `${where} (${store.resolve(dir, name)})` });
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

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}
