import * as tf from '@tensorflow/tfjs';
import { GraftError, type ResourceStore } from '@graft/core';
import { withInputSize } from './input-size.js';
import { groupBytes, loadError, parseModelJson, safeRelativePath } from './manifest.js';

/**
 * Load a tfjs layers model by URL through the environment's {@link ResourceStore} (a browser's Cache API,
 * with its mirror): model.json, then each weight shard relative to it, checked against the manifest.
 */
export async function loadLayersModelFromUrl(location: string, resources: ResourceStore, options: { inputSize?: number; where?: string } = {}): Promise<tf.LayersModel> {
  const url = new URL(location);
  if (!url.pathname.endsWith('.json')) url.pathname = `${url.pathname.replace(/\/?$/, '/')}model.json`;
  const json = parseModelJson(new TextDecoder().decode(await resources.get({ url: url.href, label: 'model.json' })), url.href);
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    const expected = groupBytes(group, url.href);
    let got = 0;
    for (const p of group.paths) {
      const shard = new URL(safeRelativePath(p, url.href).join('/'), url);
      const bytes = await resources.get({ url: shard.href, label: `weight shard ${p}`, maxBytes: expected });
      got += bytes.byteLength;
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    if (got !== expected) {
      throw loadError(`Weight shards ${group.paths.join(', ')} hold ${got} bytes, but the manifest needs ${expected}`, url.href, {
        fix: 'The copy at this URL is damaged or incomplete: fetch the model again, or check the mirror',
      });
    }
  }
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => [tf.io.getWeightSpecs(manifest), weightData]);
  const handler = tf.io.fromMemory(artifacts);
  try {
    return await tf.loadLayersModel(options.inputSize === undefined ? handler : withInputSize(handler, options.inputSize));
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: 'TensorFlow.js could not build the layers model',
      where: options.where ? `${options.where} (${url.href})` : url.href,
      why: (cause as Error)?.message,
      fix: 'Check that model.json is a Keras/TensorFlow.js layers model whose weights match its layers',
      cause,
    });
  }
}
