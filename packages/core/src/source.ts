import type { ZodType } from 'zod';
import type { Environment } from './env/environment.js';
import type { Logger } from './logger.js';
import type { Trunk } from './model/trunk.js';

/** What a source gets besides its options. */
export interface SourceContext {
  /** Directory of the config file; relative paths are resolved against it. */
  configDir: string;
  seed: number;
  log: Logger;
  /** Files, downloads (with cache and mirror), clock: read model files through these, not `node:` modules. */
  env: Environment;
  /** Config path of the source spec, for error messages. */
  where: string;
  /** Shape of one raw sample of the first task's main input (without the batch axis), when known. */
  inputShape?: readonly number[];
  /**
   * Load another registered source from its config spec (`{ use, ...options }`), relative to `configDir`:
   * lets a source wrap another one (a Graft checkpoint rebuilds the trunk it was trained from).
   */
  loadSource(spec: { use: string } & Record<string, unknown>, configDir: string): Promise<Trunk>;
}

/** A source's preprocessing settings: an open record that core carries from the source to the datasets unread. */
export type SourcePreprocessing = Readonly<Record<string, unknown>>;

/**
 * Where θ comes from: loads a backbone, its preprocessing and its ordered layer groups.
 * Examples: an ImageNet MobileNet (tfjs layers), BERT (transformers.js), a Graft checkpoint.
 */
export interface PretrainedSource<Options = any> {
  name: string;
  description: string;
  /** Validates the plugin-specific options of `source: { use: name, ... }`. A strict zod object. */
  options: ZodType<Options>;
  load(options: Options, ctx: SourceContext): Promise<Trunk>;
  /**
   * How this source wants raw inputs prepared, known before the model loads (datasets load first: the backend
   * is chosen from their modality). Core passes it to every dataset unread, as `DatasetContext.sourcePreprocessing`;
   * its keys are a convention between a source and the datasets of its modality (text: `tokenizer`, a directory,
   * vocabulary file or hub id, so a text dataset without a tokenizer of its own tokenizes as the model does).
   */
  preprocessing?(options: Options, configDir: string): SourcePreprocessing;
}
