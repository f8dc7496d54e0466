import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { deriveSeed, GraftError, Rng } from '@graft/core';
import type { PretrainedSource, SourceContext } from '@graft/core';
import { loadBertModel } from '../bert/load-model.js';
import { SPAM_ASSASSIN_GROUPS, loadSpamAssassinRows } from '../datasets/spam-assassin.js';
import { readVocabFile } from '../fixture/tiny-bert.js';
import { writeFileAtomic } from '../hf/model-files.js';
import { pretrainMiniBert } from '../mlm/pretrain-mini-bert.js';
import { BertTrunk } from './bert-trunk.js';

export const mlmSourceOptions = z
  .object({
    /** Where the pretrained model is written and, on later runs, read back (relative to the config file). */
    out: z.string().min(1).describe('Where the pretrained model is written and, on later runs, read back (relative to the config file).'),
    /**
     * Unlabelled text: `spam-assassin` (the mail bodies, labels ignored), or a file relative to the config
     * file: `.txt` (one text per line) or `.jsonl` (field `textField`).
     */
    corpus: z.string().min(1).describe('Unlabelled text: `spam-assassin` (the mail bodies, labels ignored), or a file relative to the config file: `.txt` (one text per line) or `.jsonl` (field `textField`).'),
    /** Message groups of the `spam-assassin` corpus to read (keep them apart from the labelled task's). @default all five */
    groups: z.array(z.enum(SPAM_ASSASSIN_GROUPS)).min(1).optional().describe('Message groups of the `spam-assassin` corpus to read (keep them apart from the labelled task\'s). Default: all five.'),
    /** Field of a `.jsonl` corpus holding the text. @default 'text' */
    textField: z.string().min(1).default('text').describe('Field of a `.jsonl` corpus holding the text. Default: \'text\'.'),
    /** Use at most this many texts. */
    limit: z.number().int().min(1).optional().describe('Use at most this many texts.'),
    /** A WordPiece `vocab.txt` (e.g. bert-base-uncased's), or `corpus` to build a small one from the text. @default 'corpus' */
    vocab: z.string().min(1).default('corpus').describe('A WordPiece `vocab.txt` (e.g. bert-base-uncased\'s), or `corpus` to build a small one from the text. Default: \'corpus\'.'),
    /** @default 2 */
    layers: z.number().int().min(1).max(24).default(2).describe('Transformer layers of the model pretrained here. Default: 2.'),
    /** @default 64 */
    hidden: z.number().int().min(8).max(1024).default(64).describe('Hidden size of the model pretrained here. Default: 64.'),
    /** @default 4 */
    heads: z.number().int().min(1).max(16).default(4).describe('Attention heads per layer. Default: 4.'),
    /** Tokens per training sequence. @default 64 */
    maxLength: z.number().int().min(8).max(512).default(64).describe('Tokens per training sequence. Default: 64.'),
    /**
     * Split each text into up to this many consecutive sequences of `maxLength` tokens, as BERT's pretraining
     * reads whole documents; 1 keeps only each text's beginning. @default 1
     */
    windows: z.number().int().min(1).max(64).default(1).describe('Split each text into up to this many consecutive sequences of `maxLength` tokens, as BERT\'s pretraining reads whole documents; 1 keeps only each text\'s beginning. Default: 1.'),
    /** @default 5 */
    epochs: z.number().int().min(1).default(5).describe('Pretraining epochs over the corpus. Default: 5.'),
    /** @default 16 */
    batchSize: z.number().int().min(1).default(16).describe('Sequences per pretraining step. Default: 16.'),
    /** Adam's peak learning rate. @default 1e-3 */
    lr: z.number().positive().default(1e-3).describe('Adam\'s peak learning rate. Default: 1e-3.'),
    /** Learning-rate schedule: warm-up over 10% of the steps then linear decay, or constant. @default 'slanted-triangular' */
    schedule: z.enum(['slanted-triangular', 'constant']).default('slanted-triangular').describe('Learning-rate schedule: warm-up over 10% of the steps then linear decay, or constant. Default: \'slanted-triangular\'.'),
    /**
     * Masked-LM pretraining never trains the pooler or the [CLS] state (BERT's next-sentence task did),
     * so the mean of the token states is the informative feature of a model made here. @default 'mean'
     */
    pooling: z.enum(['cls', 'mean']).default('mean').describe('Masked-LM pretraining never trains the pooler or the [CLS] state (BERT\'s next-sentence task did), so the mean of the token states is the informative feature of a model made here. Default: \'mean\'.'),
    /**
     * Seed of the pretraining (initialisation, masking, order, the `limit` sample). It is the model's own, not
     * the run's: every seed of a `graft compare` fine-tunes the same pretrained model. @default 0
     */
    seed: z.number().int().min(0).default(0).describe('Seed of the pretraining (initialisation, masking, order, the `limit` sample). It is the model\'s own, not the run\'s: every seed of a `graft compare` fine-tunes the same pretrained model. Default: 0.'),
  })
  .strict();
export type MlmSourceOptions = z.infer<typeof mlmSourceOptions>;

const STAMP = 'graft-mlm.json';

async function corpusTexts(o: MlmSourceOptions, ctx: SourceContext): Promise<string[]> {
  let texts: string[];
  if (o.groups !== undefined && o.corpus !== 'spam-assassin') {
    throw new GraftError('GRAFT_CONFIG_INVALID', { what: '`groups` selects SpamAssassin groups, but the corpus is a file', where: `${ctx.where}.groups`, fix: 'Remove `groups`, or use corpus: spam-assassin' });
  }
  if (o.corpus === 'spam-assassin') {
    const rows = await loadSpamAssassinRows({ groups: o.groups ?? [...SPAM_ASSASSIN_GROUPS], bodyOnly: true }, new Rng(o.seed));
    texts = rows.map((r) => r.text);
  } else {
    const path = resolve(ctx.configDir, o.corpus);
    if (!existsSync(path)) throw new GraftError('GRAFT_DATA_NOT_FOUND', { what: `The corpus "${path}" does not exist`, where: `${ctx.where}.corpus`, choices: ['spam-assassin', '<file>.txt', '<file>.jsonl'] });
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    texts = path.endsWith('.jsonl')
      ? lines.map((l, i) => {
          const v = (JSON.parse(l) as Record<string, unknown>)[o.textField];
          if (typeof v !== 'string') throw new GraftError('GRAFT_DATA_INVALID', { what: `Line ${i + 1} has no string field "${o.textField}"`, where: path });
          return v;
        })
      : lines;
  }
  if (o.limit !== undefined) {
    const order = new Rng(deriveSeed(o.seed, 11)).permutation(texts.length);
    texts = Array.from(order.subarray(0, o.limit), (i) => texts[i]!);
  }
  return texts;
}

/**
 * `text/mlm`: make a small BERT by masked-language-model pretraining (15% masking, 80/10/10) on
 * unlabelled text, save it in the Hugging Face layout (with ONNX) under `out`, and use it as the trunk.
 * A later run with the same options and seed reads the saved model instead of pretraining again.
 */
export const mlmSource = {
  name: 'text/mlm',
  description: 'A small BERT pretrained here by masked-LM on unlabelled text (SpamAssassin bodies or a file), saved in the HF layout',
  options: mlmSourceOptions,
  // A vocabulary file tokenizes exactly as the saved model will; one built from the corpus exists only after pretraining.
  tokenizer: (o: MlmSourceOptions, configDir: string) => (o.vocab === 'corpus' ? undefined : resolve(configDir, o.vocab)),
  async load(o: MlmSourceOptions, ctx: SourceContext): Promise<BertTrunk> {
    const out = isAbsolute(o.out) ? o.out : resolve(ctx.configDir, o.out);
    const { pooling: _pooling, ...training } = o;
    const key = createHash('sha256').update(JSON.stringify(training)).digest('hex');
    const stampPath = join(out, STAMP);
    const stamp = existsSync(stampPath) ? (JSON.parse(readFileSync(stampPath, 'utf8')) as { key?: string }) : undefined;
    if (stamp?.key !== key) {
      const texts = await corpusTexts(o, ctx);
      const vocab = o.vocab === 'corpus' ? undefined : await readVocabFile(resolve(ctx.configDir, o.vocab));
      ctx.log.info(`text/mlm: pretraining a ${o.layers}-layer BERT (hidden ${o.hidden}) on ${texts.length} texts for ${o.epochs} epochs`);
      const result = await pretrainMiniBert({
        out,
        texts,
        vocab,
        layers: o.layers,
        hidden: o.hidden,
        heads: o.heads,
        maxLength: o.maxLength,
        windows: o.windows,
        epochs: o.epochs,
        batchSize: o.batchSize,
        lr: o.lr,
        schedule: o.schedule,
        seed: o.seed,
        log: ctx.log,
      });
      ctx.log.info(`text/mlm: masked-LM loss ${result.before.toFixed(3)} → ${result.after.toFixed(3)} on ${result.sequences} sequences; ${result.truncated} texts truncated; saved to ${out}`);
      await writeFileAtomic(stampPath, `${JSON.stringify({ key, options: training, losses: result.losses, before: result.before, after: result.after }, null, 2)}\n`);
    } else {
      ctx.log.info(`text/mlm: using the model pretrained earlier in ${out}`);
    }
    const model = await loadBertModel(out);
    return new BertTrunk(model.config, model.weights, { pooling: o.pooling, maxLength: o.maxLength, seed: deriveSeed(ctx.seed, 2), modelDir: out });
  },
} satisfies PretrainedSource<MlmSourceOptions>;
