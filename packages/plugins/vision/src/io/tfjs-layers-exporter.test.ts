import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { classificationTask, GraftError, GraftModel, nodeEnvironment, Rng, silentLogger, type SourceContext, type Task } from '@graft/core/internal';
import { saveLayersModel } from './save-model.js';
import { tfjsLayers } from '../sources/tfjs-layers.js';
import { tfjsLayersExporter, TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, type TfjsExportMetadata } from './tfjs-layers-exporter.js';

let root: string;
const ctx = (): SourceContext => ({ configDir: root, seed: 1, log: silentLogger, env: nodeEnvironment(), where: 'source', loadSource: () => Promise.reject(new Error('unused')) });
const task: Task = { name: 'kind', type: classificationTask, target: 'label', info: { kind: 'classes', classes: ['a', 'b', 'c'] }, dataGroup: 0, headSize: 3 };

/** A residual convnet (not a chain: an Add joins two branches) with batch normalisation, 12×12 RGB input. */
function residualNet(): tf.LayersModel {
  const L = tf.layers;
  const input = tf.input({ shape: [12, 12, 3] });
  const a = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  const b = L.batchNormalization({ name: 'bn1' }).apply(a) as tf.SymbolicTensor;
  const c = L.conv2d({ filters: 4, kernelSize: 1, name: 'c2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(L.reLU({ name: 'r1' }).apply(b)) as tf.SymbolicTensor;
  const out = L.reLU({ name: 'out' }).apply(L.add({ name: 'sum' }).apply([a, c])) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'residual' });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'graft-tfjs-export-'));
  const net = residualNet();
  const bn = net.getLayer('bn1');
  bn.setWeights([tf.tensor1d([1.2, 0.8, 1, 1.5]), tf.tensor1d([0.1, -0.2, 0, 0.3]), tf.tensor1d([0.2, -0.1, 0.05, 0]), tf.tensor1d([0.7, 1.3, 2, 0.9])]);
  await saveLayersModel(net, join(root, 'net'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('tfjs-layers exporter', () => {
  it('writes one layers model that plain tfjs loads and that predicts what the Graft model predicts (≤ 1e-5), classes in its metadata', async () => {
    // Images arrive at 8×8 and the trunk resizes them to 12: the export reads 12×12 images, pixels 0..255.
    const trunk = await tfjsLayers.load(tfjsLayers.options.parse({ path: 'net', cut: 'out', inputSize: 12 }), ctx());
    const model = new GraftModel(trunk, [task], [{ hidden: [5], dropout: 0 }], new Rng(3));
    // Move the trunk's weights away from the saved ones, as training does: the export must carry the new ones.
    const kernel = model.groups[0]!.variables[0]!;
    kernel.assign(tf.mul(kernel, 1.5));
    const env = nodeEnvironment();
    const out = join(root, 'export');
    const { files } = await tfjsLayersExporter.export({ model, task, out, source: 'vision/tfjs-layers', env });
    expect(files).toEqual([join(out, TFJS_WEIGHTS_FILE), join(out, TFJS_MODEL_FILE)]);

    // Read back with TensorFlow.js alone: model.json and its shard from disk, as any tfjs program would.
    const json = JSON.parse(await readFile(join(out, TFJS_MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
    const weights = await readFile(join(out, json.weightsManifest[0]!.paths[0]!));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: new Uint8Array(weights).buffer }));
    const metadata = (json.userDefinedMetadata as { graft: TfjsExportMetadata }).graft;
    expect(metadata).toMatchObject({ task: 'kind', classes: ['a', 'b', 'c'], input: { size: 12, channels: 3, pixelRange: [0, 255] }, output: 'probabilities' });

    const raw = tf.randomUniform([4, 8, 8, 3], 0, 255, 'float32', 7);
    const want = tf.softmax(model.heads.get('kind')!.apply(model.features({ image: raw }, false), false));
    const resized = tf.image.resizeBilinear(raw as tf.Tensor4D, [12, 12], false, true);
    const got = loaded.predict(resized) as tf.Tensor;
    expect(got.shape).toEqual([4, 3]);
    const worst = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!;
    expect(worst).toBeLessThan(1e-5);
    // The probabilities are not uniform: the comparison tells trained weights apart.
    expect(tf.max(tf.sub(tf.max(want, 1), tf.min(want, 1))).dataSync()[0]!).toBeGreaterThan(0.01);
    // The run's own model still works after the export (no weight of it was disposed).
    expect(model.features({ image: raw }, false).shape).toEqual([4, 4]);
    model.dispose();
    loaded.dispose();
  });

  it('says why a trunk that is not a layers image model cannot be exported', async () => {
    const trunk = await tfjsLayers.load(tfjsLayers.options.parse({ path: 'net', cut: 'out' }), ctx());
    const model = new GraftModel({ ...trunk }, [task], [{ hidden: [], dropout: 0 }], new Rng(3));
    expect(tfjsLayersExporter.unsupported(model, task)).toMatch(/Only image sources made of a TensorFlow.js layers model/);
    const error = await tfjsLayersExporter.export({ model, task, out: join(root, 'no'), source: 'x', env: nodeEnvironment() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraftError);
    model.dispose();
  });
});
