/** The binaries tfjs-backend-wasm 4.22 ships; which one loads depends on SIMD and thread support. */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * In Node, the directory holding tfjs-backend-wasm's `.wasm` files (its `dist/`, with a trailing
 * slash), resolved the way Node resolves the package; `undefined` in a browser, where the backend
 * finds them next to its script or where the app points `setWasmPaths`.
 */
export async function wasmBinaryDirectory(): Promise<string | undefined> {
  if (!isNode()) return undefined;
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(entry) + path.sep;
}
