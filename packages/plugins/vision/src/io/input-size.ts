import type * as tf from '@tensorflow/tfjs';

/**
 * Rewrite the input layer's `batch_input_shape` so the model is built for `[N, size, size, C]`: the
 * convolutional trunk does not care, and a fixed 224 input would otherwise refuse smaller images.
 */
export function withInputSize(handler: tf.io.IOHandler, size: number): tf.io.IOHandler {
  return {
    async load() {
      const artifacts = await handler.load!();
      const topology = artifacts.modelTopology as { model_config?: { config?: { layers?: any[] } }; config?: { layers?: any[] } };
      const layers = topology.model_config?.config?.layers ?? topology.config?.layers ?? [];
      for (const layer of layers) {
        const shape = layer?.config?.batch_input_shape;
        if (Array.isArray(shape) && shape.length === 4) {
          layer.config.batch_input_shape = [shape[0], size, size, shape[3]];
        }
      }
      return artifacts;
    },
  };
}
