import { probeSettled } from './probe.js';

// The probe in a module worker, as the studio's training runs (train-worker.ts).
void probeSettled().then((result) => postMessage(result));
