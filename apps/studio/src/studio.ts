import { GraftError, memoryFileStore, type HistoryEntry, type StepProgress } from '@graft/core';
import { mobilenetV1Url } from '@graft/vision/browser';
import { DATA_DIR, type ImageFile, type TrainReport, type TrainSettings } from './train.js';
import type { WorkerMessage } from './worker-messages.js';
import { TrainingFailed } from './errors.js';

export { describeError } from './errors.js';
export { DATA_DIR, type StrategyChoice, type TrainReport } from './train.js';

export const DEFAULT_MODEL_URL = mobilenetV1Url(0.25, 224);

export interface TrainRequest extends TrainSettings {
  onNote(text: string): void;
  onStep(progress: StepProgress): void;
  onEpoch(entry: HistoryEntry): void;
}

/** The page's state: the images it was given, one folder per class; training runs in a worker on a copy. */
export class Studio {
  readonly files = memoryFileStore();

  async classes(): Promise<string[]> {
    return this.files.list(DATA_DIR);
  }

  async addImage(className: string, name: string, bytes: Uint8Array): Promise<void> {
    await this.files.write(`${DATA_DIR}/${className}/${name}`, bytes);
  }

  /** Check the images before a run, with a message a person can act on. */
  async check(declared: string[]): Promise<void> {
    const empty: string[] = [];
    for (const c of declared) if ((await this.files.list(`${DATA_DIR}/${c}`)).length < 2) empty.push(c);
    if (empty.length > 0) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `Class ${empty.map((c) => `"${c}"`).join(', ')} has fewer than 2 images`, fix: 'Add at least 2 images to every class (one is held out to test), or remove the class' });
    }
    if (declared.length < 2) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: `There is ${declared.length === 0 ? 'no class' : `only one class ("${declared[0]}")`}`, fix: 'A classifier needs at least two classes: add another class with its images' });
    }
  }

  /** Train in a Web Worker, so the page keeps painting and answering while the model learns; progress comes as messages. */
  async train(request: TrainRequest): Promise<TrainReport> {
    const images: ImageFile[] = [];
    for (const className of await this.classes()) {
      for (const name of await this.files.list(`${DATA_DIR}/${className}`)) {
        images.push({ className, name, bytes: (await this.files.read(`${DATA_DIR}/${className}/${name}`))!.slice() });
      }
    }
    const { onNote, onStep, onEpoch, ...settings } = request;
    const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'graft-training' });
    try {
      return await new Promise<TrainReport>((resolve, reject) => {
        worker.onmessage = ({ data }: MessageEvent<WorkerMessage>) => {
          if (data.kind === 'note') onNote(data.text);
          else if (data.kind === 'step') onStep(data.progress);
          else if (data.kind === 'epoch') onEpoch(data.entry);
          else if (data.kind === 'done') resolve(data.report);
          else reject(new TrainingFailed(data.message));
        };
        worker.onerror = (event) => reject(new TrainingFailed(`The training worker failed: ${event.message || 'it could not start'}`));
        worker.onmessageerror = () => reject(new TrainingFailed('The training worker sent a message the page could not read'));
        worker.postMessage({ images, settings: { ...settings, defaultModelUrl: DEFAULT_MODEL_URL } }, images.map((i) => i.bytes.buffer));
      });
    } finally {
      worker.terminate();
    }
  }
}
