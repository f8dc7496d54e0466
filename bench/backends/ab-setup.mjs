// What the in-process A/B scripts share: `--size` and `--reps`, the wasm backend transpiled from its sources,
// tfjs and the MobileNet builder.
import path from 'node:path';
import { transpileWasmBackend } from './transpile.mjs';

/** Parse the options, load tfjs and the backend's modules; `startWasm()` registers Graft's kernels and selects wasm. */
export async function abSetup() {
  const argv = process.argv.slice(2);
  const opt = (k, d) => (argv.includes(`--${k}`) ? Number(argv[argv.indexOf(`--${k}`) + 1]) : d);
  const dir = transpileWasmBackend();
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { mobilenetV1 } = await import(path.join(dir, 'test-support/mobilenet.js'));
  const { wasmBinaryDirectory } = await import(path.join(dir, 'wasm-files.js'));
  const { registerWasmGradientKernels } = await import(path.join(dir, 'kernels/register.js'));
  return {
    size: opt('size', 64),
    reps: opt('reps', 7),
    dir,
    tf,
    mobilenetV1,
    async startWasm() {
      wasm.setWasmPaths(await wasmBinaryDirectory());
      registerWasmGradientKernels();
      await tf.setBackend('wasm');
    },
  };
}
