import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

/**
 * Write a tfjs layers model to `dir` as model.json plus one weight shard, the layout
 * `tensorflowjs_converter` produces and `vision/tfjs-layers` reads. Each file is written atomically,
 * model.json last.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const shard = 'group1-shard1of1.bin';
      const data = tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      await writeFileAtomic(join(dir, shard), new Uint8Array(data));
      const json: tf.io.ModelJSON = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [shard], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}
