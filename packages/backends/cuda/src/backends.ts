import { createNativeBackend } from './native.js';

/** libtensorflow 2.9.1, which tfjs-node 4.x binds, was built against these. */
const CUDA_NEEDS = 'Linux x64, an NVIDIA GPU with its driver, CUDA 11.2 and cuDNN 8.1; its install downloads libtensorflow';

/** TensorFlow on an NVIDIA GPU through `@tensorflow/tfjs-node-gpu`, an optional peer dependency. */
export const cudaBackend = createNativeBackend({
  name: 'cuda',
  description: 'NVIDIA GPU through TensorFlow\'s C library (@tensorflow/tfjs-node-gpu, installed separately). The fastest where present.',
  priority: 30,
  packageName: '@tensorflow/tfjs-node-gpu',
  needs: CUDA_NEEDS,
  gpu: true,
});

/** TensorFlow's native CPU kernels through `@tensorflow/tfjs-node`, an optional peer dependency. */
export const nodeBackend = createNativeBackend({
  name: 'node',
  description: 'Native CPU through TensorFlow\'s C library (@tensorflow/tfjs-node, installed separately): multi-threaded, oneDNN kernels.',
  priority: 20,
  packageName: '@tensorflow/tfjs-node',
  needs: 'Linux x64/arm64, macOS or Windows x64; its install downloads libtensorflow',
  gpu: false,
});
