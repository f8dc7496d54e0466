import { z } from 'zod';

const positive = z.number().positive();

/** Optimizer settings. `optimizer: adam` is short for `optimizer: { name: adam }`. */
const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam', 'adamw'] as const;

const optimizerObject = z.strictObject({
    /** @default 'adam' */
    name: z.enum(OPTIMIZER_NAMES).default('adam').describe('Update rule.'),
    /** @default 0.9 */
    momentum: z.number().min(0).max(1).default(0.9).describe('Momentum coefficient (momentum only).'),
    /** @default 0.9 */
    beta1: z.number().min(0).lt(1).default(0.9).describe('Adam β1.'),
    /** @default 0.999 */
    beta2: z.number().min(0).lt(1).default(0.999).describe('Adam β2.'),
    /** @default 1e-7 (the tfjs/Keras value) */
    epsilon: positive.default(1e-7).describe('Adam ε.'),
    /** Decoupled weight decay for adamw (default 0.01), L2 added to the gradient for the others (default 0). */
    weightDecay: z.number().min(0).optional().describe('Weight decay: decoupled for adamw (default 0.01), L2 otherwise (default 0).'),
});

export const optimizerSchema = z
  .union([z.enum(OPTIMIZER_NAMES), optimizerObject])
  .transform((v) => optimizerObject.parse(typeof v === 'string' ? { name: v } : v));

export const SCHEDULE_NAMES = ['constant', 'linear-warmup', 'cosine', 'one-cycle', 'slanted-triangular'] as const;

/** Learning-rate schedule over the steps of a stage. `schedule: cosine` is short for `{ name: cosine }`. */
const scheduleObject = z.strictObject({
    /** @default 'constant' */
    name: z.enum(SCHEDULE_NAMES).default('constant').describe('Schedule shape.'),
    /** Warm-up length as a fraction of the stage's steps (linear-warmup, cosine). @default 0.1 for linear-warmup, 0 for cosine */
    warmup: z.number().min(0).max(1).optional().describe('Warm-up fraction of the stage (linear-warmup, cosine).'),
    /** Fraction of steps spent increasing the rate (slanted-triangular, ULMFiT: 0.1; one-cycle: 0.3). */
    cutFrac: z.number().gt(0).lt(1).optional().describe('Fraction of steps spent increasing (slanted-triangular 0.1, one-cycle 0.3).'),
    /** How much smaller the lowest rate is than the peak (slanted-triangular 32, one-cycle 25). */
    ratio: z.number().min(1).optional().describe('Peak over lowest rate (slanted-triangular 32, one-cycle 25).'),
    /** Final rate as a fraction of the peak (cosine). @default 0 */
    minFactor: z.number().min(0).max(1).optional().describe('Final rate as a fraction of the peak (cosine).'),
});

export const scheduleSchema = z
  .union([z.enum(SCHEDULE_NAMES), scheduleObject])
  .transform((v) => scheduleObject.parse(typeof v === 'string' ? { name: v } : v));

/** Options every stage accepts, whatever its strategy. */
export const commonStageShape = {
  /** The strategy that runs this stage. */
  use: z.string().describe('Strategy name (see `graft plugins`).'),
  /** A label for logs and reports. @default the strategy name */
  name: z.string().optional().describe('Label for logs and reports.'),
  /** Epochs in this stage. @default 1, or the strategy's own default (gradual-unfreeze: one per group) */
  epochs: z.number().int().positive().optional().describe('Epochs in this stage.'),
  /** Peak learning rate. @default 1e-3 */
  lr: positive.default(1e-3).describe('Peak learning rate.'),
  /** Learning rate of the heads, when it should differ from `lr` (e.g. trunk 1e-4, head 1e-3). */
  headLr: positive.optional().describe('Learning rate of the heads, when different from `lr`.'),
  /** Samples per batch. @default 32 */
  batchSize: z.number().int().positive().default(32).describe('Samples per batch.'),
  /** @default { name: 'adam' } */
  optimizer: optimizerSchema.default(() => optimizerObject.parse({})),
  /** @default { name: 'constant' } */
  schedule: scheduleSchema.default(() => scheduleObject.parse({})),
  /**
   * Discriminative learning rates (ULMFiT): group i of G gets `lr / factor^(G-1-i)`, so the head gets
   * `lr` and each earlier group `factor` times less. ULMFiT uses 2.6.
   */
  discriminative: z
    .strictObject({ factor: z.number().min(1).describe('Ratio between the rates of neighbouring groups (ULMFiT: 2.6).') })
    .optional()
    .describe('Smaller learning rates for earlier groups.'),
  /** Re-initialise every head at the start of this stage. @default false */
  reinitHead: z.boolean().default(false).describe('Re-initialise the heads at the start of the stage.'),
  /**
   * BatchNorm mode. `frozen`: normalisation layers of frozen groups use their running statistics
   * (inference mode), so a frozen group computes exactly what it did in pretraining and small or
   * unrepresentative batches cannot shift it; trainable groups use batch statistics. `inference`: every
   * normalisation layer uses running statistics (the usual choice for fine-tuning on little data, where
   * batch statistics are noisy and running averages would drift). `train`: all use batch statistics.
   * @default 'frozen'
   */
  bn: z.enum(['frozen', 'inference', 'train']).default('frozen').describe('BatchNorm mode: frozen groups only, all groups in inference mode, or all training.'),
  /**
   * Momentum of the running statistics of normalisation layers from this stage on (Keras convention: the
   * weight of the old value; PyTorch's momentum 0.1 is 0.9 here). Pretrained Keras models use 0.99, which
   * needs thousands of steps to forget the initial statistics; `scratch` uses 0.9 unless this is set.
   */
  bnMomentum: z.number().min(0).lt(1).optional().describe('Momentum of BatchNorm running statistics (Keras convention; PyTorch 0.1 = 0.9 here).'),
  /**
   * While the whole trunk is frozen (and so runs in inference mode), compute its features once per split
   * and train the heads on them. Turn off only to save memory on very large datasets. @default true
   */
  cacheFeatures: z.boolean().default(true).describe('Cache the frozen trunk’s features (linear probing).'),
  /** Clip the global gradient norm to this value. */
  clipNorm: positive.optional().describe('Clip the global gradient norm to this value.'),
  /** How task losses (or gradients) are combined. @default { use: 'equal' } */
  weighting: z
    .looseObject({ use: z.string().describe('Weighting name (see `graft plugins`).') })
    .optional()
    .describe('How task losses are combined.'),
  /**
   * With tasks on separate datasets: `all` takes a batch of every task each step; the others draw one task
   * per step, in proportion to dataset size, uniformly, or by size^(1/temperature). @default 'all'
   */
  sampling: z.enum(['all', 'proportional', 'uniform', 'temperature']).default('all').describe('Task sampling with separate datasets.'),
  /** Temperature for `sampling: temperature`. @default 2 */
  temperature: positive.default(2).describe('Temperature for `sampling: temperature`.'),
  /**
   * The tasks this stage trains, by name; the others' heads rest and their data is not read. Lets one config
   * run a self-supervised stage before the supervised ones (ULMFiT: language-model fine-tuning on the target
   * task's texts, then the classifier). Every task is still evaluated. @default every task
   */
  tasks: z.array(z.string()).min(1).optional().describe('Tasks this stage trains (default: all).'),
  /** Stop the stage when the validation metric has not improved for `patience` epochs. */
  earlyStopping: z
    .strictObject({
      patience: z.number().int().positive().describe('Epochs without improvement before stopping.'),
      minDelta: z.number().min(0).default(0).describe('Smallest change that counts as an improvement.'),
      restoreBest: z.boolean().default(true).describe('Restore the best epoch’s weights when stopping.'),
    })
    .optional()
    .describe('Early stopping on the first task’s primary validation metric.'),
};

export const commonStageSchema = z.strictObject(commonStageShape);

/** The common options of a stage, after defaults. */
export type StageOptions = z.output<typeof commonStageSchema>;
