import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, byteOffset, f32, free, size, wasmModule } from './heap.js';
import { wasmKernel } from './originals.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap };

/**
 * `Greater` and `Less` on float32 from the backend's fast kernels. tfjs-backend-wasm compares
 * through a generic broadcasting loop (~9 ns per element, 15× its XNNPACK subtraction), and the
 * gradient of relu6 (`min(6, relu(x))`) runs one `Greater` over every activation. Exactly,
 * `a > b ⟺ step(a − b) = 1`: the difference of two floats is positive iff `a > b` (gradual
 * underflow keeps tiny differences non-zero), and NaN operands or ∞ − ∞ give NaN, which is not > 0.
 */
function strictlyGreater(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const difference = wasmKernel('Sub')({ inputs: { a, b }, backend, attrs: {} }) as tf.TensorInfo;
  const stepped = wasmKernel('Step')({ inputs: { x: difference }, backend, attrs: { alpha: 0 } }) as tf.TensorInfo;
  free(backend, difference);
  const out = allocate(backend, stepped.shape, 'bool');
  // Float → uint8 conversion by the engine's native copy: 1 → 1; 0 and NaN → 0.
  new Uint8Array(wasmModule(backend).HEAPU8.buffer, byteOffset(backend, out), size(out.shape)).set(f32(backend, stepped));
  free(backend, stepped);
  return out;
}

export function greater(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs;
  if (a!.dtype !== 'float32' || b!.dtype !== 'float32') return wasmKernel('Greater')(args) as tf.TensorInfo;
  return strictlyGreater(args.backend, a!, b!);
}

export function less(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs;
  if (a!.dtype !== 'float32' || b!.dtype !== 'float32') return wasmKernel('Less')(args) as tf.TensorInfo;
  return strictlyGreater(args.backend, b!, a!);
}
