import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GraftError } from '@graft/core';

/** A wasm32 address space: no single block, nor the whole heap, can be larger. */
const WASM_MEMORY_LIMIT = 2 ** 32;

interface Allocator {
  _malloc(bytes: number): number;
  _free(address: number): void;
  HEAPU8: Uint8Array;
}

const guarded = new WeakSet<object>();

/**
 * Makes a failed allocation on the wasm heap a `GRAFT_OUT_OF_MEMORY` error. Without this,
 * tfjs-backend-wasm takes the 0 that `malloc` returns when the 4 GiB heap is full (or a byte count of
 * 4 GiB or more, which wraps around when passed to wasm) as an address, writes the tensor over the
 * start of the heap, and the run dies later with "memory access out of bounds" somewhere unrelated.
 */
export function guardAllocations(backend: BackendWasm): void {
  const module = backend.wasm as unknown as Allocator;
  if (guarded.has(module)) return;
  // The module binds `_malloc` to the wasm export on its first call; do that before wrapping it.
  module._free(module._malloc(8));
  const malloc = module._malloc.bind(module);
  module._malloc = (bytes: number) => {
    const address = bytes >= WASM_MEMORY_LIMIT ? 0 : malloc(bytes);
    if (address === 0 && bytes > 0) throw outOfMemory(bytes, module.HEAPU8.length);
    return address;
  };
  guarded.add(module);
}

function outOfMemory(bytes: number, heapBytes: number): GraftError {
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
  return new GraftError('GRAFT_OUT_OF_MEMORY', {
    what: `The wasm backend could not allocate a tensor of ${gib(bytes)} (heap now ${gib(heapBytes)})`,
    why: 'WebAssembly memory is limited to 4 GiB',
    fix: 'Lower batchSize (or maxLength for text), or use backend: cpu or webgpu, which have no such limit',
  });
}
