import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Registry } from '@graft/core';

// The page serves tfjs's wasm binaries itself (bundled by Vite), so the backend must be told where they are.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });

/** The backend to train on: the one asked for when it is available here, else the first that is, and why. */
export async function chooseBackend(wanted: string, registry: Registry): Promise<{ name: string; note: string }> {
  const order = [wanted, ...['wasm', 'cpu'].filter((n) => n !== wanted)];
  const reasons: string[] = [];
  for (const name of order) {
    const backend = registry.backends.get(name);
    if (!backend) {
      reasons.push(`${name}: not part of this page`);
      continue;
    }
    const availability = await backend.detect();
    if (availability.available) {
      return { name, note: name === wanted ? `Training on ${name}.` : `${reasons.join('; ')}. Falling back to ${name}.` };
    }
    reasons.push(`${name}: ${availability.reason ?? 'unavailable'}`);
  }
  throw new Error(`No backend is available: ${reasons.join('; ')}`);
}
