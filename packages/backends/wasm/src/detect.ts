import * as tf from '@tensorflow/tfjs';
import type { BackendAvailability } from '@graft/core';
import { isNode, wasmBinaryDirectory } from './wasm-files.js';

/** Where to look; tests point these at things that do not exist to exercise the failure paths. */
export interface DetectOptions {
  /** @default '@tensorflow/tfjs-backend-wasm' */
  moduleName?: string;
  /** Directory of the `.wasm` files (Node only). @default the package's `dist/` */
  binaryDirectory?: string;
  /** Threads the backend will run (Node only): above 1 it loads the threaded build. @default 1 */
  threads?: number;
}

const PACKAGE = '@tensorflow/tfjs-backend-wasm';
const INSTALL = `npm install ${PACKAGE}@~4.22.0`;

/**
 * Whether the wasm backend can run here: WebAssembly exists, tfjs-backend-wasm imports and matches
 * the installed tfjs, and (in Node) the `.wasm` binary it will load (the threaded build when `threads`
 * is above 1) can be read and is valid.
 */
export async function detectWasm(options: DetectOptions = {}): Promise<BackendAvailability> {
  if (typeof WebAssembly !== 'object') {
    return {
      available: false,
      reason: 'this JavaScript runtime has no WebAssembly',
      fix: 'Run Graft on Node ≥ 20 or a current browser, or use backend: cpu',
    };
  }
  const moduleName = options.moduleName ?? PACKAGE;
  let wasmModule: { version_wasm?: string };
  try {
    wasmModule = (await import(/* @vite-ignore */ moduleName)) as { version_wasm?: string };
  } catch (error) {
    return {
      available: false,
      reason: `${moduleName} cannot be imported (${firstLine(error)})`,
      fix: `Install it: ${INSTALL}`,
    };
  }
  if (wasmModule.version_wasm !== undefined && wasmModule.version_wasm !== tf.version_core) {
    return {
      available: false,
      reason: `${PACKAGE} ${wasmModule.version_wasm} does not match @tensorflow/tfjs-core ${tf.version_core}`,
      fix: `Install matching versions: npm install ${PACKAGE}@${tf.version_core}`,
    };
  }
  if (!isNode()) return { available: true };

  const directory = options.binaryDirectory ?? (await wasmBinaryDirectory())!;
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threaded = simd && (options.threads ?? 1) > 1;
  const binary = threaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const file = path.join(directory, binary);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return {
      available: false,
      reason: `the WebAssembly binary ${file} cannot be read (${firstLine(error)})`,
      fix: `Reinstall the package (${INSTALL}); when bundling, copy its dist/*.wasm files next to the bundle`,
    };
  }
  if (!WebAssembly.validate(new Uint8Array(bytes))) {
    return {
      available: false,
      reason: `${file} is not a valid WebAssembly module for this runtime`,
      fix: `Reinstall the package (${INSTALL})`,
    };
  }
  return { available: true };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
