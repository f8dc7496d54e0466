import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fromObject, type ConfigFile } from '../config/load.js';
import { GraftError } from '../errors.js';
import { deltaM } from '../metrics/delta-m.js';
import type { Runtime } from '../runtime.js';
import type { StageSpec } from './presets.js';
import { mean, std } from './compare.js';

export interface MultitaskCompareOptions {
  /** Weightings to run jointly (`equal`, `uncertainty`, `pcgrad`, ...). */
  weightings: readonly string[];
  seeds: number;
  /** Also run the sequential alternative: train the first task, then transfer its trunk to the next, and so on. */
  sequential?: boolean;
  /** Few-shot size applied to every task's data. */
  perClass?: number;
  onRun?: (run: { method: string; seed: number; index: number; total: number }) => void;
}

/** One task's compared metric for one method: mean ± std over seeds. */
export interface TaskScore {
  metric: string;
  higherIsBetter: boolean;
  mean: number;
  std: number;
  values: number[];
}

export interface MultitaskRow {
  /** `single-task`, a weighting name, or `sequential`. */
  method: string;
  tasks: Record<string, TaskScore>;
  /** Δm% against the single-task row (0 for that row itself). */
  deltaM: number;
  seconds: number;
}

type Raw = Record<string, unknown> & { stages: StageSpec[]; tasks: ({ name: string; data: Record<string, unknown> } & Record<string, unknown>)[]; seed?: number; output?: { dir?: string } };

/**
 * Multi-task learning against its alternatives on identical data and seeds: one single-task model per task
 * (the baselines), one joint model per weighting, and optionally sequential transfer (task 1, then its trunk
 * fine-tuned on task 2, ...). Each task is scored by its primary metric; Δm% (Maninis et al. 2019) averages
 * the relative change of those metrics against the single-task baselines, positive meaning better.
 */
export async function compareMultitask(runtime: Runtime, config: ConfigFile, options: MultitaskCompareOptions): Promise<MultitaskRow[]> {
  const raw = structuredClone(config.raw) as Raw;
  if (raw.tasks.length < 2) {
    throw new GraftError('GRAFT_USAGE', { what: '`graft compare --multitask` needs a config with at least two tasks', fix: 'List several tasks under `tasks`' });
  }
  const known = [...runtime.registry.weightings.keys()];
  for (const w of options.weightings) {
    if (!runtime.registry.weightings.has(w)) throw new GraftError('GRAFT_UNKNOWN_WEIGHTING', { what: `Unknown weighting "${w}"`, where: '--weightings', choices: known });
  }
  const baseSeed = raw.seed ?? 0;
  const outDir = resolve(config.dir, raw.output?.dir ?? `runs/${String(raw.name ?? 'multitask')}`, 'compare-multitask');
  const total = options.seeds * (raw.tasks.length + options.weightings.length + (options.sequential ? raw.tasks.length - 1 : 0));
  let index = 0;
  const withData = (t: Raw['tasks'][number]) => ({ ...t, data: { ...t.data, ...(options.perClass ? { perClass: options.perClass } : {}) } });
  const stagesWith = (weighting?: string) => raw.stages.map((s) => (weighting ? { ...s, weighting: { use: weighting } } : withoutWeighting(s)));

  async function train(method: string, seed: number, tasks: Raw['tasks'], stages: StageSpec[], extra: Partial<Raw> = {}, dir = method) {
    options.onRun?.({ method, seed, index: index++, total });
    const variant = { ...raw, ...extra, seed, tasks: tasks.map(withData), stages, output: { checkpoint: true, dir: join(outDir, dir, `seed-${seed}`) } };
    delete (variant as Record<string, unknown>).compare;
    mkdirSync(variant.output.dir, { recursive: true });
    const run = await runtime.load(fromObject(variant, config.file, config.dir));
    const outcome = await run.train();
    return { run, outcome };
  }

  const scores = new Map<string, Map<string, { metric: string; higherIsBetter: boolean; values: number[] }>>();
  const seconds = new Map<string, number>();
  const record = (method: string, task: string, metric: string, higherIsBetter: boolean, value: unknown, took: number) => {
    const byTask = scores.get(method) ?? new Map();
    scores.set(method, byTask);
    const entry = byTask.get(task) ?? { metric, higherIsBetter, values: [] };
    entry.values.push(typeof value === 'number' ? value : NaN);
    byTask.set(task, entry);
    seconds.set(method, (seconds.get(method) ?? 0) + took);
  };

  for (let s = 0; s < options.seeds; s++) {
    const seed = baseSeed + s;
    for (const task of raw.tasks) {
      const started = Date.now();
      const { run, outcome } = await train('single-task', seed, [task], stagesWith(), {}, `single-${task.name}`);
      const plan = run.plan.tasks[0]!;
      record('single-task', task.name, plan.type.primaryMetric.name, plan.type.primaryMetric.higherIsBetter, outcome.final.metrics[task.name]?.[plan.type.primaryMetric.name], (Date.now() - started) / 1000);
    }
    for (const weighting of options.weightings) {
      const started = Date.now();
      const { run, outcome } = await train(weighting, seed, raw.tasks, stagesWith(weighting));
      const took = (Date.now() - started) / 1000;
      run.plan.tasks.forEach((plan, i) => record(weighting, plan.name, plan.type.primaryMetric.name, plan.type.primaryMetric.higherIsBetter, outcome.final.metrics[plan.name]?.[plan.type.primaryMetric.name], i === 0 ? took : 0));
    }
    if (options.sequential) {
      // Task 1's model is its single-task run; each next task starts from the previous task's trunk.
      let previous = join(outDir, `single-${raw.tasks[0]!.name}`, `seed-${seed}`, 'checkpoint.graft');
      const first = scores.get('single-task')!.get(raw.tasks[0]!.name)!;
      record('sequential', raw.tasks[0]!.name, first.metric, first.higherIsBetter, first.values[first.values.length - 1], 0);
      for (let t = 1; t < raw.tasks.length; t++) {
        const started = Date.now();
        const task = raw.tasks[t]!;
        const { run, outcome } = await train('sequential', seed, [task], stagesWith(), { source: { use: 'graft/checkpoint', path: previous } }, `sequential-${task.name}`);
        const plan = run.plan.tasks[0]!;
        record('sequential', task.name, plan.type.primaryMetric.name, plan.type.primaryMetric.higherIsBetter, outcome.final.metrics[task.name]?.[plan.type.primaryMetric.name], (Date.now() - started) / 1000);
        previous = join(outDir, `sequential-${task.name}`, `seed-${seed}`, 'checkpoint.graft');
      }
    }
  }

  const summarise = (method: string): Record<string, TaskScore> =>
    Object.fromEntries([...scores.get(method)!].map(([task, e]) => [task, { metric: e.metric, higherIsBetter: e.higherIsBetter, mean: mean(e.values), std: std(e.values), values: e.values }]));
  const baseline = summarise('single-task');
  return [...scores.keys()].map((method) => {
    const tasks = summarise(method);
    const dm =
      method === 'single-task'
        ? 0
        : deltaM(Object.entries(tasks).map(([task, score]) => ({ name: `${task}/${score.metric}`, value: score.mean, baseline: baseline[task]!.mean, higherIsBetter: score.higherIsBetter })));
    return { method, tasks, deltaM: dm, seconds: seconds.get(method) ?? 0 };
  });
}

function withoutWeighting(stage: StageSpec): StageSpec {
  const { weighting: _weighting, ...rest } = stage;
  return rest as StageSpec;
}
