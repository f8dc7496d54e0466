import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Per Emscripten module, the memory it was given at instantiation (see {@link capturingHeapMemory}). */
const captured = new WeakMap<object, WebAssembly.Memory>();
let lastCaptured: WebAssembly.Memory | undefined;

/**
 * The `WebAssembly.Memory` behind tfjs-backend-wasm's heap, which Graft's SIMD kernels import. The
 * single-threaded builds export it (`asm.memory`); the threaded build imports a shared one that its
 * Emscripten glue keeps to itself, so {@link capturingHeapMemory} notes it while the module starts.
 */
export function heapMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown; HEAPU8: Uint8Array };
  // Only the memory behind the module's own heap: another module started meanwhile (say onnxruntime-web)
  // may have been given a memory of its own.
  for (const memory of [module.asm?.memory, module.wasmMemory, captured.get(module)]) {
    if (memory instanceof WebAssembly.Memory && memory.buffer === module.HEAPU8.buffer) return memory;
  }
  return undefined;
}

/**
 * Runs `start` (which initialises the wasm backend) while noting the memory the module is given at
 * instantiation, then ties it to the started backend's module. `WebAssembly.instantiate` and
 * `instantiateStreaming` are wrapped only for that time.
 */
export async function capturingHeapMemory<T>(start: () => Promise<T>, backend: () => BackendWasm | undefined): Promise<T> {
  const { instantiate, instantiateStreaming } = WebAssembly;
  const note = (imports: WebAssembly.Imports | undefined): void => {
    const memory = imports?.['env']?.['memory'];
    if (memory instanceof WebAssembly.Memory) lastCaptured = memory;
  };
  WebAssembly.instantiate = ((source: never, imports?: WebAssembly.Imports) => {
    note(imports);
    return instantiate(source, imports);
  }) as typeof WebAssembly.instantiate;
  if (instantiateStreaming !== undefined) {
    WebAssembly.instantiateStreaming = ((source: never, imports?: WebAssembly.Imports) => {
      note(imports);
      return instantiateStreaming(source, imports);
    }) as typeof WebAssembly.instantiateStreaming;
  }
  try {
    const result = await start();
    const module = backend()?.wasm;
    if (module !== undefined && lastCaptured !== undefined) captured.set(module, lastCaptured);
    return result;
  } finally {
    WebAssembly.instantiate = instantiate;
    if (instantiateStreaming !== undefined) WebAssembly.instantiateStreaming = instantiateStreaming;
    lastCaptured = undefined;
  }
}
