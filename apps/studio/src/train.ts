import { createBrowserRuntime, GRAFT_VERSION, memoryFileStore, predictSplit, trainSession, type Backend, type HistoryEntry, type StepProgress } from '@graft/core';
import { wasmBackend } from '@graft/backend-wasm';
import strategies from '@graft/strategies';
import vision, { exportLayersModelFiles } from '@graft/vision';
import { zipStored } from './zip.js';
import { chooseBackend } from './backends.js';
import { pageWebGpu } from './webgpu.js';

/** Where the training keeps the user's images: one folder per class. */
export const DATA_DIR = '/data';
const RUN_DIR = '/runs/studio';

export type StrategyChoice = 'linear-probe' | 'fine-tune' | 'gradual-unfreeze' | 'lp-ft';

/** What a training run is asked to do: plain data, so it can be posted to the training worker. */
export interface TrainSettings {
  strategy: StrategyChoice;
  epochs: number;
  /** Images are resized to `inputSize × inputSize` for MobileNet: larger sees more detail and trains slower. @default 96 */
  inputSize?: number;
  backend: string;
  modelUrl: string;
  /** The public URL of the default model: when `modelUrl` is it, the checkpoint names no path (Node resolves it, or its mirror, itself). */
  defaultModelUrl?: string;
  mirror?: string;
}

/** One image of one class, as the page was given it. */
export interface ImageFile {
  className: string;
  name: string;
  bytes: Uint8Array;
}

export interface TrainEvents {
  onNote(text: string): void;
  onStep(progress: StepProgress): void;
  onEpoch(entry: HistoryEntry): void;
}

export interface TrainReport {
  backend: string;
  accuracy: number;
  confusion: number[][];
  classes: string[];
  checkpoint: Uint8Array;
  /** The trained model as a tfjs layers model: a zip of model.json and its weights shard (see @graft/vision's tfjs-layers exporter). */
  tfjsModel: Uint8Array;
  /** The head's outputs (logits) on the test split, row per image: what a Node run of the checkpoint must reproduce. */
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

/** Train on the images, one folder per class, and evaluate: the whole run, in whatever thread calls it (the studio's worker). */
export async function trainImages(images: readonly ImageFile[], settings: TrainSettings, events: TrainEvents): Promise<TrainReport> {
  const started = performance.now();
  const files = memoryFileStore();
  for (const image of images) await files.write(`${DATA_DIR}/${image.className}/${image.name}`, image.bytes);
  const runtime = createBrowserRuntime({ plugins: PLUGINS, environment: { files } });
  const { name: backend, note } = await chooseBackend(settings.backend, runtime.registry);
  events.onNote(note);
  const path = settings.modelUrl === settings.defaultModelUrl ? {} : { path: settings.modelUrl };
  const run = await runtime.load({
    backend,
    seed: 7,
    source: { use: 'vision/mobilenet-v1', alpha: 0.25, size: 224, inputSize: settings.inputSize ?? 96, ...path, ...(settings.mirror ? { mirror: settings.mirror } : {}) },
    tasks: [{ name: 'images', type: 'classification', data: { use: 'vision/image-folder', path: DATA_DIR, size: 28, channels: 3, testFraction: 0.25 } }],
    stages: stagesFor(settings.strategy, settings.epochs),
    output: { dir: RUN_DIR },
  });
  events.onNote(`${note} Loading the model and images…`);
  const session = await run.open();
  events.onNote(note);
  try {
    const result = await trainSession(session, { callbacks: { onStep: (p) => events.onStep(p), onEpochEnd: (entry) => events.onEpoch(entry) } });
    const metrics = result.final.metrics.images as { accuracy: number; confusion: number[][] };
    const checkpoint = await run.env.artifacts.read(session.checkpointPath);
    if (!checkpoint) throw new Error('the run wrote no checkpoint');
    const seconds = (performance.now() - started) / 1000;
    const test = session.data.groups[0]!.dataset.test;
    if (!test) throw new Error('the image folder dataset returned no test split');
    const predictions = (await predictSplit(session.model, session.data, test, session.data.tasks)).get('images')!;
    const tfjsModel = zipStored(await exportLayersModelFiles(session.model, session.model.tasks[0]!));
    return { backend, accuracy: metrics.accuracy, confusion: metrics.confusion, classes: await files.list(DATA_DIR), checkpoint, tfjsModel, testPredictions: Array.from(predictions), seconds };
  } finally {
    session.dispose();
  }
}
