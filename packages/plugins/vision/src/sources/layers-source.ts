import type * as tf from '@tensorflow/tfjs';
import type { SourceContext, Trunk } from '@graft/core';
import { loadLayersModelFrom } from '../io/load-model.js';
import type { ImagePreprocessOptions } from '../preprocess.js';
import { trunkOfModel } from './trunk-of-model.js';
import type { GroupSpec } from './groups.js';

export interface LayersSourceSpec {
  /** A model.json URL, or a model directory (relative to the config file). */
  location: string;
  /** Layer whose output is the feature map; omitted: the model's output. */
  cut?: string;
  /** The trunk's groups, from the model cut at the feature layer. */
  groups: (model: tf.LayersModel) => GroupSpec[];
  /** Resize images to this size; omitted: the model's own input size. */
  inputSize?: number;
  scale?: ImagePreprocessOptions['scale'];
  mirror?: string;
}

/** Load a tfjs layers model (path, mirror, cache or network), cut it at the feature layer, and wrap it as a trunk with its groups. */
export async function loadLayersSource(spec: LayersSourceSpec, ctx: SourceContext): Promise<Trunk> {
  const { model, dir, via } = await loadLayersModelFrom(spec.location, {
    mirror: spec.mirror,
    baseDir: ctx.configDir,
    inputSize: spec.inputSize,
    where: ctx.where,
  });
  ctx.log.info(`Loaded ${model.name} from ${dir} (${via}).`);
  return trunkOfModel(model, spec, ctx.where);
}
