import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './originals.js';

/**
 * `Identity` sharing the input's memory (one more reference) instead of copying it. The engine
 * clones every tensor it saves for the backward pass, about 850 per MobileNet step, and
 * tfjs-backend-wasm copies each; tensors are immutable, so sharing is what the cpu and webgl
 * backends do too.
 */
export function identity(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, backend } = args;
  const x = inputs['x']!;
  if (x.dtype === 'string') return wasmKernel('Identity')(args) as tf.TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
