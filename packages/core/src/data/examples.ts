import type * as tf from '@tensorflow/tfjs';
import type { ZodType } from 'zod';
import type { Environment, Resource } from '../env/environment.js';
import type { Logger } from '../logger.js';
import type { SourcePreprocessing } from '../source.js';

/** A typed array on the host, with its shape. The first dimension is the sample axis. */
export interface HostTensor {
  data: Float32Array | Int32Array | Uint8Array;
  shape: number[];
}

/**
 * One label column. Classification targets hold class indices (`Int32Array`, shape `[N]`);
 * regression targets hold values (`Float32Array`, shape `[N]` or `[N, D]`).
 */
export interface TargetColumn {
  data: Float32Array | Int32Array;
  shape: number[];
  /** 1 where the sample has this label, 0 where it is missing. Absent means every sample is labelled. */
  mask?: Uint8Array;
}

/** What a target column means: a set of classes, or real values. */
export type TargetInfo =
  | { kind: 'classes'; classes: string[] }
  | { kind: 'values'; dims: number; names?: string[] };

/** A split of a dataset: inputs and label columns, aligned by sample index. */
export interface Examples {
  size: number;
  /** Model inputs by name (`image`, `input_ids`, `features`, ...). */
  inputs: Record<string, HostTensor>;
  /** Label columns by name; a task picks one with `target`. */
  targets: Record<string, TargetColumn>;
  /**
   * Optional sample ids (their index in what the dataset loaded), carried through every subsampling and
   * split, so that `Dataset.fitToTraining` can find the raw values of the final training rows.
   */
  rows?: Int32Array;
}

/** What a dataset plugin returns. */
export interface Dataset {
  /** `image`, `text`, `table`: sources check that they can read it. */
  modality: string;
  /** Every label column this dataset offers. */
  targets: Record<string, TargetInfo>;
  /** The column a task uses when it does not name one. */
  defaultTarget: string;
  train: Examples;
  validation?: Examples;
  test?: Examples;
  /** Things the user should know about the data: skipped files, truncated texts. Printed before training. */
  notes?: string[];
  /**
   * Fit data statistics (feature standardisation, imputation) on the final training split, after core has
   * carved validation and folds from it, and apply them to every split. Without it, a statistic computed at
   * load time would include rows that later become validation or fold rows.
   */
  fitToTraining?(splits: FittableSplits): FittableSplits & { notes?: string[] };
  /**
   * Random, label-preserving transforms of a training batch (crops, flips, colour jitter), applied by the
   * loop to every training batch and used by self-supervised tasks to make their views. Trunk features are
   * never cached for augmented data.
   */
  augment?: Augmentation;
}

/** The splits `Dataset.fitToTraining` receives and returns. */
export interface FittableSplits {
  train: Examples;
  validation?: Examples;
  test?: Examples;
}

/**
 * Raw batch inputs (`[batch, ...]` as the dataset gives them, before `Trunk.preprocess`) → transformed inputs
 * of the same shapes, everything random drawn from `seed`. Runs inside `tf.tidy`.
 */
export type Augmentation = (inputs: Record<string, tf.Tensor>, seed: number) => Record<string, tf.Tensor>;

/** What a dataset plugin gets besides its options. */
export interface DatasetContext {
  /** Directory of the config file; relative paths are resolved against it. */
  configDir: string;
  /** The run's seed, for any sampling the dataset does. */
  seed: number;
  log: Logger;
  /** Files, downloads (with cache and mirror), clock: read data through these, not `node:` modules. */
  env: Environment;
  /** Config path of this dataset's spec, for error messages (`tasks[0].data`). */
  where: string;
  /**
   * The few-shot size the run asks for (`perClass`). Core subsamples the training split to it afterwards;
   * a dataset that ships exact few-shot lists (a benchmark's published splits) can pick the matching one.
   */
  perClass?: number;
  /**
   * The run's source's preprocessing settings (`PretrainedSource.preprocessing`), for a dataset that prepares its
   * inputs as the model expects (a text dataset without a tokenizer reads `tokenizer`). Absent without a hook.
   */
  sourcePreprocessing?: SourcePreprocessing;
}

/** A named way to load a dataset (`vision/fashion-mnist`, `tabular/csv`). */
export interface DatasetProvider<Options = any> {
  name: string;
  description: string;
  /** Validates the plugin-specific options of `data: { use: name, ... }`. Must be a strict zod object. */
  options: ZodType<Options>;
  load(options: Options, ctx: DatasetContext): Promise<Dataset>;
  /**
   * The public files it downloads when no `path` is given (pinned, through `env.resources`): what
   * `graft data ls` lists and `graft data fetch` fetches ahead of time.
   */
  files?(): readonly Resource[];
  /**
   * For a dataset that downloads nothing: where it reads its data instead, and why there is no public file
   * to pin. `graft data ls` shows it.
   */
  localData?: string;
}
