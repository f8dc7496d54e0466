import * as tf from '@tensorflow/tfjs';
import { GraftError, didYouMean, layersTrunk, type SourceContext, type Trunk } from '@graft/core';
import { loadLayersModelFrom } from '../io/load-model.js';
import { imagePreprocess, type ImagePreprocessOptions } from '../preprocess.js';
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

/** Load a tfjs layers model, cut it at the feature layer, and wrap it as a trunk with its groups. */
export async function loadLayersSource(spec: LayersSourceSpec, ctx: SourceContext): Promise<Trunk> {
  const { model, dir, via } = await loadLayersModelFrom(spec.location, {
    mirror: spec.mirror,
    baseDir: ctx.configDir,
    inputSize: spec.inputSize,
    where: ctx.where,
  });
  ctx.log.info(`Loaded ${model.name} from ${dir} (${via}).`);
  const cut = spec.cut === undefined ? model : cutAt(model, spec.cut, ctx.where);
  const inputShape = cut.inputs[0]!.shape;
  const channels = inputShape[3] === 1 ? 1 : 3;
  const size = spec.inputSize ?? (inputShape[1] === inputShape[2] && inputShape[1] != null ? inputShape[1] : undefined);
  return layersTrunk({
    model: cut,
    groups: spec.groups(cut),
    preprocess: imagePreprocess({ size, scale: spec.scale ?? 'symmetric', channels }),
  });
}

function cutAt(model: tf.LayersModel, name: string, where: string): tf.LayersModel {
  const names = model.layers.map((l) => l.name);
  if (!names.includes(name)) {
    const guess = didYouMean(name, names);
    throw new GraftError('GRAFT_INVALID_ARGUMENT', {
      what: `The model has no layer "${name}" (the feature layer named by \`cut\`)`,
      where: `${where}.cut`,
      fix: guess ? `Did you mean "${guess}"?` : 'Name one of the model\'s layers (the last few are listed)',
      choices: guess ? undefined : names.slice(-12),
    });
  }
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(name).output as tf.SymbolicTensor, name: `${model.name}_to_${name}` });
}
