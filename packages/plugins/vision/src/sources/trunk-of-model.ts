import * as tf from '@tensorflow/tfjs';
import { GraftError, didYouMean, layersTrunk, type Trunk } from '@graft/core';
import { rememberLayersOrigin } from '../io/tfjs-layers-exporter.js';
import { imagePreprocess } from '../preprocess.js';
import type { LayersSourceSpec } from './layers-source.js';

/** A loaded layers model cut at the feature layer and wrapped as a trunk with its groups. */
export function trunkOfModel(model: tf.LayersModel, spec: Omit<LayersSourceSpec, 'location' | 'mirror'>, where: string): Trunk {
  const cut = spec.cut === undefined ? model : cutAt(model, spec.cut, where);
  const inputShape = cut.inputs[0]!.shape;
  const channels = inputShape[3] === 1 ? 1 : 3;
  const size = spec.inputSize ?? (inputShape[1] === inputShape[2] && inputShape[1] != null ? inputShape[1] : undefined);
  const scale = spec.scale ?? 'symmetric';
  const trunk = layersTrunk({ model: cut, groups: spec.groups(cut), preprocess: imagePreprocess({ size, scale, channels }) });
  // What `graft export --format tfjs-layers` rebuilds the trained model from.
  const inputSize = size ?? inputShape[1];
  return inputSize == null ? trunk : rememberLayersOrigin(trunk, { model: cut, inputSize, channels, scale });
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
