import * as tf from '@tensorflow/tfjs';
import type { Backend } from '../backend.js';
import { registerCpuKernels } from './cpu-kernels.js';

/** tfjs's pure-JavaScript backend: always available, exact, and slow for convolutions. */
export const cpuBackend: Backend = {
  name: 'cpu',
  description: 'Pure JavaScript (tfjs cpu). Always available; fine for small models, very slow for CNN training.',
  tfBackend: 'cpu',
  priority: 0,
  detect: async () => ({ available: true }),
  async init() {
    registerCpuKernels();
    await tf.setBackend('cpu');
    await tf.ready();
    // tfjs greets Node users with advice to install tfjs-node; `graft backends` says what is available instead.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  },
  capabilities: () => ({ trainsConvolutions: true, trainsEmbeddings: true, threads: 1, device: 'CPU (JavaScript)', float16: false }),
};
