import { probeSettled, type SimdPageResult } from './probe.js';

export type { SimdPageResult } from './probe.js';

// The probe in the page, then in a module worker (where the studio trains), one after the other; `?threads=N`
// asks both for N XNNPACK threads.
const target = window as unknown as { simdResult?: SimdPageResult; simdWorkerResult?: SimdPageResult };
const asked = new URLSearchParams(location.search).get('threads');
const threads = asked === null ? undefined : Number(asked);
void probeSettled(threads).then((result) => {
  target.simdResult = result;
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.postMessage({ threads });
  worker.onmessage = (e: MessageEvent<SimdPageResult>) => {
    target.simdWorkerResult = e.data;
    worker.terminate();
  };
  worker.onerror = (e) => void (target.simdWorkerResult = { ...result, kernels: false, wasm: [], cpu: [], error: `worker: ${e.message}` });
});
