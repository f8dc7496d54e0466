import { z } from 'zod';
import type { Registry } from '../plugins/registry.js';
import { searchSchema } from '../search/schema.js';
import { commonStageShape } from './stage-options.js';
import { specSchema, type OptionedItem } from './plugin-options.js';

const taskName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'Task names start with a letter and use letters, digits, "_" and "-"');

/** Options every `data:` spec accepts, whatever its plugin. */
export const commonDataShape = {
  use: z.string().describe('Dataset name (see `graft plugins`).'),
  /**
   * Keep only N labelled training samples per class (seeded, stratified): few-shot subsampling. Classes are
   * those of the dataset's default label column, so tasks reading other columns see the same samples.
   */
  perClass: z.number().int().positive().optional().describe('Training samples kept per class (few-shot).'),
  /** Fraction of the training split held out for validation when the dataset has none. @default 0 */
  validation: z.number().min(0).lt(1).optional().describe('Fraction of training samples held out for validation.'),
  /** Cross-validation: hold out fold `index` of `count` (after few-shot subsampling) as the validation split. */
  fold: z
    .strictObject({ index: z.number().int().min(0), count: z.number().int().min(2) })
    .refine((f) => f.index < f.count, 'fold.index must be below fold.count')
    .optional()
    .describe('Hold out fold `index` of `count` as validation (set by `graft compare --folds`).'),
};

export const headSchema = z
  .strictObject({
    /** Hidden layer widths before the output layer. @default [] (a linear head) */
    hidden: z.array(z.number().int().positive()).default([]).describe('Hidden layer widths before the output layer.'),
    /** Dropout before each dense layer of the head. @default 0 */
    dropout: z.number().min(0).lt(1).default(0).describe('Dropout before each dense layer.'),
  })
  .default({ hidden: [], dropout: 0 });

const spec = z.looseObject({ use: z.string() });

/** A run name is a folder name: no separators or `..`, so `runs/<name>` stays inside `runs/`; short enough for any file system. */
export const runNameSchema = z
  .string()
  .max(100, 'Run names have at most 100 characters (they name a folder)')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Run names start with a letter or digit and use letters, digits, ".", "_" and "-" (they name a folder under runs/)');

function topLevel<A extends z.ZodType, B extends z.ZodType, C extends z.ZodType, D extends z.ZodType>(source: A, data: B, stage: C, callback: D) {
  return z.strictObject({
    $schema: z.string().optional(),
    /** A name for the run, used in reports and the default output directory `runs/<name>`. */
    name: runNameSchema.optional().describe('Run name (reports, output directory).'),
    /** Extra plugins: npm package names or paths relative to the config file. */
    plugins: z.array(z.string()).default([]).describe('Extra plugins: npm package names or paths relative to this file.'),
    /** @default 'auto' */
    backend: z.string().default('auto').describe('auto, or a backend name (see `graft backends`).'),
    /** @default 0 */
    seed: z.number().int().min(0).default(0).describe('Seed for shuffling, initialisation and sampling.'),
    source: source.describe('Where the pretrained weights come from.'),
    tasks: z
      .array(
        z.strictObject({
          name: taskName.describe('Task name (metrics and heads are keyed by it).'),
          /** @default 'classification' */
          type: z.string().default('classification').describe('Task kind: classification, regression, ...'),
          data: data.describe('The dataset; tasks with identical data specs share one dataset.'),
          /** Label column; @default the dataset's default target */
          target: z.string().optional().describe('Label column of the dataset.'),
          head: headSchema,
        }),
      )
      .min(1)
      .describe('What to learn: one or more tasks, one head each.'),
    stages: z.array(stage).min(1).describe('Training stages, run in order.'),
    /** Training callbacks from plugins, run in order after early stopping and before the checkpoint is written. @default [] */
    callbacks: z.array(callback).default([]).describe('Training callbacks from plugins (`use`: a callback name, see `graft plugins`).'),
    evaluate: z
      .strictObject({ split: z.enum(['test', 'validation']).default('test').describe('Split for the final metrics.') })
      .default({ split: 'test' }),
    compare: z
      .strictObject({
        /** Entries `graft compare` runs when --strategies is not given. @default ['scratch', 'linear-probe', 'fine-tune', 'gradual-unfreeze'] */
        strategies: z
          .array(z.string())
          .min(1)
          .default(['scratch', 'linear-probe', 'fine-tune', 'gradual-unfreeze'])
          .describe('Entries `graft compare` runs when --strategies is not given.'),
        seeds: z.number().int().positive().default(3).describe('Seeds per entry.'),
        folds: z.number().int().min(2).optional().describe('Cross-validation folds (evaluates on the held-out fold).'),
        perClass: z.array(z.number().int().positive()).optional().describe('Labelled training samples per class to compare at.'),
        presets: z.record(z.string(), z.array(stage)).default({}).describe('Named stage lists, usable as entries.'),
        /**
         * Named source specs to compare the entries on, with identical splits and seeds (architecture as an
         * axis); `--sources a,b` picks some, `config` names the config's own source. @default the config's source only
         */
        sources: z.record(z.string(), source).optional().describe('Named sources to compare on (architecture as an axis).'),
        /** Weightings `graft compare --multitask` trains jointly. @default ['equal', 'uncertainty', 'pcgrad'] */
        weightings: z.array(z.string()).min(1).default(['equal', 'uncertainty', 'pcgrad']).describe('Weightings --multitask runs jointly.'),
      })
      .prefault({})
      .describe('Defaults and named presets for `graft compare`.'),
    search: searchSchema.optional(),
    output: z
      .strictObject({
        dir: z.string().optional().describe('Where checkpoints and metrics go. @default runs/<name>'),
        checkpoint: z.boolean().default(true).describe('Write a checkpoint after every epoch.'),
      })
      .default({ checkpoint: true }),
  });
}

/** The config's structure with plugin options left open: the first validation pass. */
export const configStructureSchema = topLevel(spec, spec, spec, spec);
export type ConfigStructure = z.output<typeof configStructureSchema>;

function useUnion(entries: Iterable<[string, OptionedItem]>, common: z.ZodRawShape = {}, kind: string): z.ZodType {
  const members = [...entries].map(([name, item]) => specSchema(item, common, kind).describe(name));
  if (members.length === 0) return spec;
  return members.length === 1 ? members[0]! : z.union(members as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

/** The whole config schema for the registered plugins, as editors see it (`graft schema`). */
export function fullConfigSchema(registry: Registry): z.ZodType {
  const { use: _stageUse, ...stageCommon } = commonStageShape;
  const { use: _dataUse, ...dataCommon } = commonDataShape;
  return topLevel(
    useUnion(registry.sources, {}, 'source'),
    useUnion(registry.datasets, dataCommon, 'dataset'),
    useUnion(registry.strategies, stageCommon, 'strategy'),
    useUnion(registry.callbacks, {}, 'callback'),
  );
}

/** JSON Schema (draft 2020-12) of the config, for editor completion. */
export function configJsonSchema(registry: Registry): Record<string, unknown> {
  return z.toJSONSchema(fullConfigSchema(registry), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
