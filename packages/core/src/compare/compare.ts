import { GraftError } from '../errors.js';
import type { ConfigFile } from '../config/load.js';
import { fromObject } from '../config/load.js';
import type { Runtime } from '../runtime.js';
import type { HistoryEntry } from '../train/trainer.js';
import type { TrainOutcome } from '../session.js';
import type { TaskMetrics } from '../train/evaluate.js';
import { baseStage, BUILTIN_PRESETS, type StageSpec } from './presets.js';

export interface CompareOptions {
  /** Entries to run: strategy names, preset names (built-in or the config's), or `config` (its own stages). */
  entries: readonly string[];
  /** Seeds per entry: the config's seed, +1, +2, ... */
  seeds: number;
  /** K-fold cross-validation: each run evaluates on its held-out fold. */
  folds?: number;
  /** Labelled training samples per class to compare at (few-shot); absent: the data as configured. */
  perClass?: readonly (number | undefined)[];
  /** Called before each run, for progress. */
  onRun?: (run: { entry: string; perClass?: number; seed: number; fold?: number; index: number; total: number }) => void;
}

export interface CompareRun {
  seed: number;
  fold?: number;
  /** The compared metric of the first task. */
  value: number;
  metrics: TaskMetrics;
  history: HistoryEntry[];
  seconds: number;
  /** Digests of the run's splits: the same seed (and fold, and few-shot size) gives every entry the same data. */
  splits: TrainOutcome['splits'];
}

export interface CompareResult {
  strategy: string;
  perClass?: number;
  task: string;
  metric: string;
  higherIsBetter: boolean;
  mean: number;
  std: number;
  seconds: number;
  runs: CompareRun[];
}

type Raw = Record<string, unknown> & { stages: StageSpec[]; tasks: { data: Record<string, unknown> }[]; seed?: number };

/** Stage lists for every entry name a comparison can use. */
export function entryStages(raw: Raw, strategies: Iterable<string>): Map<string, StageSpec[]> {
  const base = baseStage(raw.stages);
  const entries = new Map<string, StageSpec[]>();
  for (const name of strategies) entries.set(name, [{ ...base, use: name }]);
  for (const [name, build] of Object.entries(BUILTIN_PRESETS)) entries.set(name, build(base));
  const presets = (raw.compare as { presets?: Record<string, StageSpec[]> } | undefined)?.presets ?? {};
  for (const [name, stages] of Object.entries(presets)) entries.set(name, stages);
  entries.set('config', raw.stages);
  return entries;
}

/**
 * Run each entry on identical data splits and seeds, and summarise the first task's primary metric as
 * mean ± standard deviation (sample std, n − 1) over runs.
 */
export async function compareStrategies(runtime: Runtime, config: ConfigFile, options: CompareOptions): Promise<CompareResult[]> {
  const raw = structuredClone(config.raw) as Raw;
  const available = entryStages(raw, runtime.registry.strategies.keys());
  for (const entry of options.entries) {
    if (!available.has(entry)) {
      throw new GraftError('GRAFT_USAGE', {
        what: `Unknown comparison entry "${entry}"`,
        choices: [...available.keys()],
        fix: 'Use a strategy name, a preset, `config`, or add a preset under `compare.presets` in the config',
      });
    }
  }
  const baseSeed = raw.seed ?? 0;
  const perClassList = options.perClass && options.perClass.length > 0 ? options.perClass : [undefined];
  const folds = options.folds ? Array.from({ length: options.folds }, (_, i) => i) : [undefined];
  const total = options.entries.length * perClassList.length * options.seeds * folds.length;
  const results: CompareResult[] = [];
  let index = 0;
  for (const perClass of perClassList) {
    for (const entry of options.entries) {
      const runs: CompareRun[] = [];
      let task = '';
      let metric = '';
      let higherIsBetter = true;
      for (let s = 0; s < options.seeds; s++) {
        for (const fold of folds) {
          const seed = baseSeed + s;
          options.onRun?.({ entry, perClass, seed, fold, index: index++, total });
          const variant: Raw = {
            ...raw,
            seed,
            stages: available.get(entry)!,
            compare: undefined,
            tasks: raw.tasks.map((t) => ({
              ...t,
              data: { ...t.data, ...(perClass ? { perClass } : {}), ...(fold !== undefined ? { fold: { index: fold, count: options.folds! } } : {}) },
            })),
            ...(fold !== undefined ? { evaluate: { split: 'validation' } } : {}),
            output: { checkpoint: false, dir: `${(raw.output as { dir?: string } | undefined)?.dir ?? `runs/${raw.name ?? 'compare'}`}/compare/${entry}` },
          };
          delete variant.compare;
          const started = Date.now();
          const run = await runtime.load(fromObject(variant, config.file, config.dir));
          const outcome = await run.train();
          const first = run.plan.tasks[0]!;
          task = first.name;
          metric = first.type.primaryMetric.name;
          higherIsBetter = first.type.primaryMetric.higherIsBetter;
          const value = outcome.final.metrics[task]?.[metric];
          runs.push({ seed, fold, value: typeof value === 'number' ? value : NaN, metrics: outcome.final.metrics, history: outcome.history, seconds: (Date.now() - started) / 1000, splits: outcome.splits });
        }
      }
      const values = runs.map((r) => r.value);
      results.push({ strategy: entry, perClass, task, metric, higherIsBetter, mean: mean(values), std: std(values), seconds: runs.reduce((a, r) => a + r.seconds, 0), runs });
    }
  }
  return results;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
}

/** Sample standard deviation (n − 1), 0 for a single value. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}
