import { probeSettled } from './probe.js';

// The probe in a module worker, as the studio's training runs (train-worker.ts), with the page's thread count.
onmessage = (e: MessageEvent<{ threads: number | undefined }>) => void probeSettled(e.data.threads).then((result) => postMessage(result));
