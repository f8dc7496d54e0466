import * as tf from '@tensorflow/tfjs';
import { GraftError, type Exporter, type ExportRequest, type Task, type Trunk } from '@graft/core';

/** The trained model an exporter is given. */
type GraftModel = ExportRequest['model'];
import type { PixelScale } from '../preprocess.js';

/** What a trunk built from a tfjs layers model was made of: enough to rebuild it as one layers model. */
export interface LayersOrigin {
  /** The layers model from the image input to the feature layer (its weights are the trunk's, trained or not). */
  model: tf.LayersModel;
  /** Images are resized to `inputSize × inputSize` before the model. */
  inputSize: number;
  channels: 1 | 3;
  scale: PixelScale;
}

const origins = new WeakMap<Trunk, LayersOrigin>();

/** Record what a trunk was built from, so {@link tfjsLayersExporter} can export it. Returns the trunk. */
export function rememberLayersOrigin(trunk: Trunk, origin: LayersOrigin): Trunk {
  origins.set(trunk, origin);
  return trunk;
}

/** Files of the export, in the folder given: the layout `tf.loadLayersModel` reads. */
export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

/** What the exported model.json carries for its users, under `userDefinedMetadata.graft`. */
export interface TfjsExportMetadata {
  task: string;
  /** Class names, in output order (classification). */
  classes?: string[];
  /** The model's input: `[N, size, size, channels]` pixel values in 0..255, resized bilinearly with half-pixel centres. */
  input: { size: number; channels: number; pixelRange: [0, 255]; resize: string };
  /** `probabilities` (a softmax, classification) or `values` (regression). */
  output: 'probabilities' | 'values';
}

const RESIZE = 'bilinear with half-pixel centres (tf.image.resizeBilinear(x, [size, size], false, true))';

function unsupported(model: GraftModel, task: Task): string | undefined {
  if (!origins.has(model.trunk)) return 'Only image sources made of a TensorFlow.js layers model (vision/mobilenet-v1, vision/mobilenet-v2, vision/tfjs-layers) export as a layers model.';
  if (!model.heads.has(task.name)) return `Task "${task.name}" is self-supervised: it has no prediction head to export.`;
  return undefined;
}

/**
 * The trained model for one task as one tfjs layers model that plain TensorFlow.js runs
 * (`tf.loadLayersModel`): pixel scaling (a Rescaling layer), the source model up to its feature layer with
 * the run's weights, global average pooling, the task's head as Dense layers and, for a classifier, a
 * softmax. It reads images already resized to the trunk's input size (see {@link TfjsExportMetadata}).
 * The caller disposes the model; the trunk's weights are copied, not shared.
 */
export function exportedLayersModel(model: GraftModel, task: Task): { model: tf.LayersModel; metadata: TfjsExportMetadata } {
  const why = unsupported(model, task);
  if (why) throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Task "${task.name}" cannot be exported as a tfjs layers model`, why, fix: 'Check `unsupported()` before exporting' });
  const origin = origins.get(model.trunk)!;
  const head = model.heads.get(task.name)!;
  const input = tf.input({ shape: [origin.inputSize, origin.inputSize, origin.channels], name: 'image' });
  let x: tf.SymbolicTensor = input;
  if (origin.scale === 'symmetric') x = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: 'graft_scale' }).apply(x) as tf.SymbolicTensor;
  if (origin.scale === 'unit') x = tf.layers.rescaling({ scale: 1 / 255, name: 'graft_scale' }).apply(x) as tf.SymbolicTensor;
  x = origin.model.apply(x) as tf.SymbolicTensor;
  // The trunk's pooling: a 4-D feature map is averaged over space, anything else flattened.
  if (x.rank === 4) x = tf.layers.globalAveragePooling2d({ name: 'graft_pool' }).apply(x) as tf.SymbolicTensor;
  else if (x.rank !== 2) x = tf.layers.flatten({ name: 'graft_flatten' }).apply(x) as tf.SymbolicTensor;
  const variables = head.variables;
  const dense: [tf.layers.Layer, tf.Variable, tf.Variable][] = [];
  for (let i = 0; i < variables.length; i += 2) {
    const [kernel, bias] = [variables[i]!, variables[i + 1]!];
    const last = i + 2 === variables.length;
    const layer = tf.layers.dense({ units: kernel.shape[1]!, activation: last ? 'linear' : 'relu', name: `${task.name}_dense_${i / 2}` });
    x = layer.apply(x) as tf.SymbolicTensor;
    dense.push([layer, kernel, bias]);
  }
  const classes = task.info.kind === 'classes' ? task.info.classes : undefined;
  if (classes) x = tf.layers.softmax({ name: `${task.name}_probabilities` }).apply(x) as tf.SymbolicTensor;
  const exported = tf.model({ inputs: input, outputs: x, name: `graft_${task.name}` });
  for (const [layer, kernel, bias] of dense) layer.setWeights([kernel, bias]);
  return {
    model: exported,
    metadata: { task: task.name, ...(classes ? { classes } : {}), input: { size: origin.inputSize, channels: origin.channels, pixelRange: [0, 255], resize: RESIZE }, output: classes ? 'probabilities' : 'values' },
  };
}

/**
 * The exported model's files: model.json (topology, weight manifest and {@link TfjsExportMetadata} under
 * `userDefinedMetadata.graft`) and one weights shard. Nothing is written; browser and Node alike.
 */
export async function layersModelFiles(model: tf.LayersModel, metadata: TfjsExportMetadata): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json: tf.io.ModelJSON = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: 'Graft (graft export --format tfjs-layers)',
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: { graft: metadata as unknown as object },
      };
      files = {
        [TFJS_MODEL_FILE]: new TextEncoder().encode(JSON.stringify(json)),
        [TFJS_WEIGHTS_FILE]: new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files;
}

/** The tfjs layers export of one task as files (see {@link exportedLayersModel}). */
export async function exportLayersModelFiles(model: GraftModel, task: Task): Promise<Record<string, Uint8Array>> {
  const { model: exported, metadata } = exportedLayersModel(model, task);
  try {
    return await layersModelFiles(exported, metadata);
  } finally {
    // The exported model holds its own copies of the head's weights; the trunk's layers stay the run's.
    for (const layer of exported.layers) if (layer.name.startsWith(`${task.name}_dense_`)) layer.dispose();
  }
}

/**
 * `graft export --format tfjs-layers` (and Graft Studio's download): one task of a run whose source is a
 * TensorFlow.js layers image model, as a layers model plain TensorFlow.js loads. Writes model.json last,
 * each file atomically through `env.artifacts`, so a reader never finds a model.json without its weights.
 */
export const tfjsLayersExporter: Exporter = {
  name: 'tfjs-layers',
  description: 'Image classifier or regressor as one TensorFlow.js layers model (model.json + weights; tf.loadLayersModel runs it).',
  unsupported,
  async export({ model, task, out, env }) {
    const files = await exportLayersModelFiles(model, task);
    const written: string[] = [];
    for (const name of [TFJS_WEIGHTS_FILE, TFJS_MODEL_FILE]) {
      const path = env.artifacts.resolve(out, name);
      await env.artifacts.write(path, files[name]!);
      written.push(path);
    }
    return { files: written };
  },
};
