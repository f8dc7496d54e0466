import type { StoredTensor } from '../checkpoint/format.js';
import { loadWeights } from '../checkpoint/checkpoint.js';
import type { Examples } from '../data/examples.js';
import { GraftError, unknownName } from '../errors.js';
import type { RunPlan } from '../config/load.js';
import type { Registry } from '../plugins/registry.js';
import type { Session } from '../session.js';
import { evaluateSplit, type SplitName, type TaskMetrics } from '../train/evaluate.js';
import { take } from '../data/prepare.js';
import { examplesFromInputs, predictExamples, type RawInputs, type TaskPredictions } from './predict.js';
import type { Environment } from '../env/environment.js';

const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

/** What to predict: the first `limit` samples of a split, or raw inputs as the dataset gives them. */
export type PredictRequest = { split: SplitName; limit?: number } | { inputs: RawInputs };

/** A trained model with its data, ready to evaluate, predict and export. Dispose it when done. */
export interface TrainedRun {
  readonly plan: RunPlan;
  /** The checkpoint its weights came from. */
  readonly checkpoint: string;
  /** The backend it runs on. */
  readonly backend: string;
  /** Metrics of every task on a split. @default split 'test' */
  evaluate(split?: SplitName): Promise<TaskMetrics>;
  predict(request: PredictRequest): Promise<TaskPredictions[]>;
  /** Export one task's model with a registered exporter (`onnx`, ...). @default task the first */
  export(format: string, out: string, options?: { task?: string }): Promise<{ format: string; out: string; task: string; files: string[] }>;
  dispose(): void;
}

/** Put a checkpoint's weights into an opened session and offer the trained-run operations on it. */
export function trainedRun(session: Session, registry: Registry, env: Environment, checkpoint: string, tensors: ReadonlyMap<string, StoredTensor>): TrainedRun {
  try {
    loadWeights(session.model, tensors, checkpoint);
  } catch (error) {
    session.dispose();
    throw error;
  }
  const { model, data, plan } = session;
  const splitExamples = (split: string, where: string): Examples => {
    if (!SPLITS.includes(split as SplitName)) {
      throw new GraftError('GRAFT_USAGE', { what: `Unknown split "${split}"`, where, choices: SPLITS, fix: 'Pick one of the dataset splits' });
    }
    const examples = data.groups[0]!.dataset[split as SplitName];
    if (!examples || examples.size === 0) {
      const has = SPLITS.filter((s) => (data.groups[0]!.dataset[s]?.size ?? 0) > 0);
      throw new GraftError('GRAFT_USAGE', { what: `The dataset has no ${split} split`, where, choices: has, fix: 'Pick a split the dataset has' });
    }
    return examples;
  };
  return {
    plan,
    checkpoint,
    backend: session.backend.name,
    async evaluate(split = 'test') {
      splitExamples(split, 'split');
      return (await evaluateSplit(model, data, split)) ?? {};
    },
    async predict(request) {
      if ('inputs' in request) return predictExamples(model, data, examplesFromInputs(request.inputs, data.groups[0]!.dataset.train, 'inputs'));
      const examples = splitExamples(request.split, 'split');
      const limit = request.limit ?? 5;
      if (!Number.isInteger(limit) || limit < 1) {
        throw new GraftError('GRAFT_USAGE', { what: `The limit must be a positive whole number of samples, not ${limit}`, where: 'limit', fix: 'Pass a limit of 1 or more' });
      }
      const rows = Array.from({ length: Math.min(limit, examples.size) }, (_, i) => i);
      return predictExamples(model, data, take(examples, rows));
    },
    async export(format, out, options = {}) {
      const exporter = registry.exporters.get(format);
      if (!exporter) {
        throw new GraftError('GRAFT_USAGE', {
          what: `Unknown export format "${format}"`,
          choices: [...registry.exporters.keys()],
          fix: 'Pick a format a loaded plugin exports (`graft plugins` lists the exporters)',
        });
      }
      const task = options.task === undefined ? model.tasks[0]! : model.tasks.find((t) => t.name === options.task);
      if (!task) throw unknownName('GRAFT_USAGE', 'task', options.task!, model.tasks.map((t) => t.name), 'task');
      const why = exporter.unsupported(model, task);
      if (why) {
        throw new GraftError('GRAFT_USAGE', {
          what: `Task "${task.name}" of source "${plan.source.plugin.name}" cannot be exported as ${format}`,
          why,
          fix: 'Export another task, or pick a format that supports this model',
          choices: [...registry.exporters.keys()],
        });
      }
      const { files } = await exporter.export({ model, task, out, source: plan.source.plugin.name, env });
      return { format, out, task: task.name, files };
    },
    dispose: () => session.dispose(),
  };
}
