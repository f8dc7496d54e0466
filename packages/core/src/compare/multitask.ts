import type { ConfigFile } from '../config/load.js';
import { GraftError } from '../errors.js';
import { deltaM } from '../metrics/delta-m.js';
import type { Runtime } from '../runtime.js';
import { CHECKPOINT_FILE } from '../run/checkpoint-path.js';
import type { StageSpec } from './presets.js';
import { mean, std } from './compare.js';
import { primaryValue, runVariants, type Variant } from './variants.js';

export interface MultitaskCompareOptions {
  /** Weightings to run jointly (`equal`, `uncertainty`, `pcgrad`, ...). */
  weightings: readonly string[];
  seeds: number;
  /** Also run the sequential alternative: train the first task, then transfer its trunk to the next, and so on. */
  sequential?: boolean;
  /** Few-shot size applied to every task's data. */
  perClass?: number;
  /** The comparison's folder (see `runDir`); each run goes to `<dir>/compare-multitask/<id>`. */
  dir: string;
  /** Reuse the results of runs that finished before (same config). */
  resume?: boolean;
  onRun?: (run: { method: string; seed: number; index: number; total: number }) => void;
  /** After each run (finished, failed, or reused by `resume`). */
  onDone?: (run: { id: string; backend?: string; seconds: number; error?: string; reused: boolean; index: number; total: number }) => void;
}

/** One task's compared metric for one method: mean ± std over the seeds whose run finished. */
export interface TaskScore {
  metric: string;
  higherIsBetter: boolean;
  mean: number;
  std: number;
  /** One value per seed; NaN where the run failed. */
  values: number[];
}

export interface MultitaskRow {
  /** `single-task`, a weighting name, or `sequential`. */
  method: string;
  tasks: Record<string, TaskScore>;
  /** Δm% against the single-task row (0 for that row itself). */
  deltaM: number;
  seconds: number;
  /** Runs of this method that failed. */
  failed: number;
}

type TaskSpec = { name: string; data: Record<string, unknown> } & Record<string, unknown>;
type Raw = Record<string, unknown> & { stages: StageSpec[]; tasks: TaskSpec[]; seed?: number };

/** A planned run of the comparison: which method, and which tasks' scores it gives. */
interface Planned {
  method: string;
  seed: number;
  variant: Variant;
  /** Task names this run scores (a single-task run scores one). */
  scores: string[];
}

/**
 * Multi-task learning against its alternatives on identical data and seeds: one single-task model per task
 * (the baselines), one joint model per weighting, and optionally sequential transfer (task 1, then its trunk
 * fine-tuned on task 2, ...). Each task is scored by its primary metric; Δm% (Maninis et al. 2019) averages
 * the relative change of those metrics against the single-task baselines, positive meaning better.
 */
export async function compareMultitask(runtime: Runtime, config: ConfigFile, options: MultitaskCompareOptions): Promise<MultitaskRow[]> {
  const raw = structuredClone(config.raw) as Raw;
  delete raw.compare;
  if (raw.tasks.length < 2) {
    throw new GraftError('GRAFT_USAGE', { what: '`graft compare --multitask` needs a config with at least two tasks', fix: 'List several tasks under `tasks`' });
  }
  const registry = await runtime.registryFor(config);
  for (const w of options.weightings) {
    if (!registry.weightings.has(w)) throw new GraftError('GRAFT_UNKNOWN_WEIGHTING', { what: `Unknown weighting "${w}"`, where: 'weightings', choices: [...registry.weightings.keys()] });
  }
  const dir = runtime.env.artifacts.resolve(options.dir, 'compare-multitask');
  const withData = (t: TaskSpec) => ({ ...t, data: { ...t.data, ...(options.perClass ? { perClass: options.perClass } : {}) } });
  const stagesWith = (weighting?: string) => raw.stages.map((s) => (weighting ? { ...s, weighting: { use: weighting } } : withoutWeighting(s)));
  const variant = (id: string, seed: number, tasks: TaskSpec[], stages: StageSpec[], extra: Record<string, unknown> = {}): Variant => ({
    id,
    checkpoint: true,
    config: { ...raw, ...extra, seed, tasks: tasks.map(withData), stages },
  });

  const planned: Planned[] = [];
  for (let s = 0; s < options.seeds; s++) {
    const seed = (raw.seed ?? 0) + s;
    for (const task of raw.tasks) {
      planned.push({ method: 'single-task', seed, scores: [task.name], variant: variant(`single-${task.name}/seed-${seed}`, seed, [task], stagesWith()) });
    }
    for (const weighting of options.weightings) {
      planned.push({ method: weighting, seed, scores: raw.tasks.map((t) => t.name), variant: variant(`${weighting}/seed-${seed}`, seed, raw.tasks, stagesWith(weighting)) });
    }
    if (options.sequential) {
      // Task 1's model is its single-task run; each next task starts from the previous task's trunk.
      let previous = `single-${raw.tasks[0]!.name}/seed-${seed}`;
      for (const task of raw.tasks.slice(1)) {
        const id = `sequential-${task.name}/seed-${seed}`;
        const source = { use: 'graft/checkpoint', path: runtime.env.artifacts.resolve(dir, previous, CHECKPOINT_FILE) };
        planned.push({ method: 'sequential', seed, scores: [task.name], variant: variant(id, seed, [task], stagesWith(), { source }) });
        previous = id;
      }
    }
  }

  const outcomes = await runVariants(
    runtime,
    config,
    planned.map((p) => p.variant),
    {
      dir,
      resume: options.resume,
      onStart: (_v, index, total) => options.onRun?.({ method: planned[index]!.method, seed: planned[index]!.seed, index, total }),
      onFinish: (o, index, total, reused) => options.onDone?.({ id: o.id, backend: o.backend, seconds: o.seconds, error: o.error, reused, index, total }),
    },
  );

  // scores[method][task][seed index] — sequential's first task is the single-task model of task 1.
  const methods = ['single-task', ...options.weightings, ...(options.sequential ? ['sequential'] : [])];
  const rows = new Map(methods.map((m) => [m, { seconds: 0, failed: 0, tasks: new Map<string, { metric: string; higherIsBetter: boolean; values: number[] }>() }]));
  const put = (method: string, task: string, metric: { metric: string; higherIsBetter: boolean }, value: number) => {
    const tasks = rows.get(method)!.tasks;
    const entry = tasks.get(task) ?? { ...metric, values: [] };
    entry.values.push(value);
    tasks.set(task, entry);
  };
  planned.forEach((p, i) => {
    const outcome = outcomes[i]!;
    const row = rows.get(p.method)!;
    row.seconds += outcome.seconds;
    if (outcome.error) row.failed++;
    if (options.sequential && p.method === 'single-task' && p.scores[0] === raw.tasks[0]!.name) put('sequential', p.scores[0]!, outcome.primary[p.scores[0]!]!, primaryValue(outcome, p.scores[0]!));
    for (const task of p.scores) put(p.method, task, outcome.primary[task]!, primaryValue(outcome, task));
  });

  const summarise = (method: string): Record<string, TaskScore> =>
    Object.fromEntries(
      [...rows.get(method)!.tasks].map(([task, e]) => {
        const finished = e.values.filter((v) => !Number.isNaN(v));
        return [task, { metric: e.metric, higherIsBetter: e.higherIsBetter, mean: finished.length > 0 ? mean(finished) : NaN, std: std(finished), values: e.values }];
      }),
    );
  const baseline = summarise('single-task');
  return methods.map((method) => {
    const tasks = summarise(method);
    const dm =
      method === 'single-task'
        ? 0
        : deltaM(Object.entries(tasks).map(([task, score]) => ({ name: `${task}/${score.metric}`, value: score.mean, baseline: baseline[task]!.mean, higherIsBetter: score.higherIsBetter })));
    const row = rows.get(method)!;
    return { method, tasks, deltaM: dm, seconds: row.seconds, failed: row.failed };
  });
}

function withoutWeighting(stage: StageSpec): StageSpec {
  const { weighting: _weighting, ...rest } = stage;
  return rest as StageSpec;
}
