/// <reference lib="webworker" />
import { describeError } from './errors.js';
import { trainImages, type ImageFile, type TrainSettings } from './train.js';
import type { WorkerMessage } from './worker-messages.js';

/**
 * The studio's training thread: the whole run (image decoding, the model download, every step) happens
 * here, so the page's own thread only draws progress and stays responsive. One worker per run.
 */
const post = (message: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer);

self.onmessage = async (event: MessageEvent<{ images: ImageFile[]; settings: TrainSettings }>) => {
  try {
    const report = await trainImages(event.data.images, event.data.settings, {
      onNote: (text) => post({ kind: 'note', text }),
      onStep: (progress) => post({ kind: 'step', progress }),
      onEpoch: (entry) => post({ kind: 'epoch', entry }),
    });
    post({ kind: 'done', report }, [report.checkpoint.buffer, report.tfjsModel.buffer]);
  } catch (error) {
    post({ kind: 'failed', message: describeError(error) });
  }
};
