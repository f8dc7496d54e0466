import { createBrowserRuntime, GRAFT_VERSION, GraftError, isGraftError, memoryFileStore, predictSplit, trainSession, type HistoryEntry, type Runtime } from '@graft/core';
import { wasmBackend } from '@graft/backend-wasm';
import type { Backend } from '@graft/core';
import strategies from '@graft/strategies';
import vision from '@graft/vision';
import { mobilenetV1Url } from '@graft/vision/browser';
import { chooseBackend } from './backends.js';
import { pageWebGpu } from './webgpu.js';

/** Where the page keeps the user's images: one folder per class. */
export const DATA_DIR = '/data';
const RUN_DIR = '/runs/studio';

export const DEFAULT_MODEL_URL = mobilenetV1Url(0.25, 224);

export type StrategyChoice = 'linear-probe' | 'fine-tune' | 'gradual-unfreeze' | 'lp-ft';

export interface TrainRequest {
  strategy: StrategyChoice;
  epochs: number;
  backend: string;
  modelUrl: string;
  mirror?: string;
  onNote(text: string): void;
  onEpoch(entry: HistoryEntry): void;
}

export interface TrainReport {
  backend: string;
  accuracy: number;
  confusion: number[][];
  classes: string[];
  checkpoint: Uint8Array;
  /** Class probabilities on the test split, row per image: what a Node run of the checkpoint must reproduce. */
  testPredictions: number[];
  seconds: number;
}

/** The stages a strategy choice runs: fine-tuning uses a 10× smaller rate than the head-only probe. */
export function stagesFor(strategy: StrategyChoice, epochs: number): Record<string, unknown>[] {
  const probe = { use: 'linear-probe', epochs, lr: 0.01, batchSize: 16 };
  const fine = { epochs, lr: 0.001, batchSize: 16 };
  switch (strategy) {
    case 'linear-probe':
      return [probe];
    case 'fine-tune':
      return [{ ...fine, use: 'fine-tune' }];
    case 'gradual-unfreeze':
      return [{ ...fine, use: 'gradual-unfreeze' }];
    case 'lp-ft':
      return [probe, { ...fine, use: 'fine-tune' }];
  }
}

/**
 * @graft/backend-wasm detects by importing its tfjs package by name, which a page cannot do at run time;
 * here the package is bundled, so WebAssembly itself is what to check.
 */
const pageWasm: Backend = {
  ...wasmBackend,
  detect: async () =>
    typeof WebAssembly === 'object' ? { available: true } : { available: false, reason: 'this browser has no WebAssembly', fix: 'Use a current browser, or the cpu backend' },
};
const meta = (name: string) => ({ name, version: GRAFT_VERSION, graft: GRAFT_VERSION });
const PLUGINS = [strategies, vision, { meta: meta('@graft/backend-wasm'), backends: [pageWasm] }, { meta: meta('@graft/studio'), backends: [pageWebGpu] }];

/** The page's state: the images it was given, in a file store the `vision/image-folder` dataset reads. */
export class Studio {
  readonly files = memoryFileStore();
  private runtime: Runtime = createBrowserRuntime({ plugins: PLUGINS });

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

  async train(request: TrainRequest): Promise<TrainReport> {
    const started = performance.now();
    const { name: backend, note } = await chooseBackend(request.backend, this.runtime.registry);
    request.onNote(note);
    const runtime = createBrowserRuntime({
      plugins: PLUGINS,
      environment: { files: this.files },
    });
    const run = await runtime.load({
      backend,
      seed: 7,
      source: { use: 'vision/mobilenet-v1', alpha: 0.25, size: 224, inputSize: 96, path: request.modelUrl, ...(request.mirror ? { mirror: request.mirror } : {}) },
      tasks: [{ name: 'images', type: 'classification', data: { use: 'vision/image-folder', path: DATA_DIR, size: 28, channels: 3, testFraction: 0.25 } }],
      stages: stagesFor(request.strategy, request.epochs),
      output: { dir: RUN_DIR },
    });
    request.onNote(`${note} Loading the model and images…`);
    const session = await run.open();
    request.onNote(note);
    try {
      const result = await trainSession(session, {
        callbacks: {
          async onEpochEnd(entry) {
            request.onEpoch(entry);
            // Let the page paint between epochs.
            await new Promise((resolve) => setTimeout(resolve, 0));
          },
        },
      });
      const metrics = result.final.metrics.images as { accuracy: number; confusion: number[][] };
      const checkpoint = await run.env.artifacts.read(session.checkpointPath);
      if (!checkpoint) throw new Error('the run wrote no checkpoint');
      const seconds = (performance.now() - started) / 1000;
      const test = session.data.groups[0]!.dataset.test;
      if (!test) throw new Error('the image folder dataset returned no test split');
      const predictions = (await predictSplit(session.model, session.data, test, session.data.tasks)).get('images')!;
      return { backend, accuracy: metrics.accuracy, confusion: metrics.confusion, classes: await this.classes(), checkpoint, testPredictions: Array.from(predictions), seconds };
    } finally {
      session.dispose();
    }
  }
}

/** A message for the page: a Graft error's own text, anything else named as unexpected. */
export function describeError(error: unknown): string {
  if (isGraftError(error)) return error.message;
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
