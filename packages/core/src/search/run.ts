import { stringify as toYaml } from 'yaml';
import { fromObject, type ConfigFile } from '../config/load.js';
import { prepareData } from '../data/prepare.js';
import { GraftError, isGraftError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { TaskMetrics } from '../train/evaluate.js';
import { deriveSeed, Rng } from '../train/rng.js';
import { medianPruner, noPruner, type Pruner } from './pruner.js';
import { gridSampler, randomSampler, tpeSampler, type Observation, type Sampler } from './samplers.js';
import type { SearchSettings } from './schema.js';
import { applyParams, parseSpace, type Param, type Params } from './space.js';
import { StudyStore, type TrialRecord } from './study.js';
import { finalConfig, foldConfig, runTrial, studyConfigHash, toLoss, type TrialJob, type TrialSetup } from './trial.js';

/** Runs the trials of one batch: in this process one after another, or on a queue's workers. */
export interface TrialExecutor {
  /** Run every job; `record` is called once per job as it ends (in any order). */
  runBatch(jobs: readonly TrialJob[], setup: TrialSetup, pruner: Pruner, record: (trial: TrialRecord) => Promise<void>): Promise<void>;
}

/** Trials run here, one after another. */
export function localExecutor(runtime: Runtime): TrialExecutor {
  return {
    async runBatch(jobs, setup, pruner, record) {
      for (const job of jobs) await record(await runTrial(runtime, setup, job, pruner));
    },
  };
}

export interface SearchOptions {
  /** Continue the study in the search folder. */
  resume?: boolean;
  /** Discard an existing study and start a new one. */
  fresh?: boolean;
  /** Where trials run. @default this process */
  executor?: TrialExecutor;
  /** Called as each trial ends and before the final run. */
  onTrial?: (trial: TrialRecord, done: number, total: number) => void;
  onFinal?: (params: Params) => void;
}

export interface SearchResult {
  dir: string;
  metric: string;
  direction: 'maximize' | 'minimize';
  trials: TrialRecord[];
  best: TrialRecord;
  /** The best configuration (the config with the best trial's parameters, without `search`). */
  bestConfig: Record<string, unknown>;
  /** The best configuration retrained on the whole training split and evaluated once on the evaluation split. */
  final: { split: string; metrics: TaskMetrics; value: number };
}

/** The study's settings, checked: the space parses, every value it can take makes a valid config, folds fit the data. */
export async function prepareSearch(runtime: Runtime, config: ConfigFile): Promise<TrialSetup & { params: Param[] }> {
  const settings = (config.structure as { search?: SearchSettings }).search;
  if (!settings) {
    throw new GraftError('GRAFT_SEARCH_INVALID', {
      what: `${config.file} has no \`search\` block`,
      fix: 'Add `search: { space: { "stages[0].lr": { logUniform: [1e-4, 1e-1] } }, trials: 20 }` (see `graft schema`)',
    });
  }
  const params = parseSpace(settings.space);
  if (settings.sampler === 'grid') gridSampler(params);
  const dir = runtime.env.artifacts.resolve(config.dir, (config.structure.output as { dir?: string }).dir ?? `runs/${config.structure.name ?? 'search'}`, 'search');
  const draft: TrialSetup = { config, settings, metric: '', direction: 'maximize', dir };
  const corner = (pick: (p: Param) => unknown): Params => Object.fromEntries(params.map((p) => [p.path, pick(p)])) as Params;
  const base = corner((p) => (p.kind === 'choice' ? p.choices[0] : p.low));
  // Every value a parameter can take, with the others at their first value, must give a valid config.
  for (const param of params) {
    const values = param.kind === 'choice' ? param.choices : [param.low, param.high];
    for (const value of values) await checkPoint(runtime, draft, { ...base, [param.path]: value }, param.path);
  }
  const planned = await runtime.load(fromObject(foldConfig(draft, base, 0, 0, `${dir}/check`), config.file, config.dir));
  const primary = planned.plan.tasks[0]!.type.primaryMetric;
  const metric = settings.metric ?? primary.name;
  let direction = settings.direction;
  if (!direction) {
    if (metric !== primary.name) {
      throw new GraftError('GRAFT_SEARCH_INVALID', { what: `search.metric "${metric}" is not the task's primary metric, so its direction is unknown`, where: 'search.direction', fix: 'Set `direction: maximize` or `direction: minimize`' });
    }
    direction = primary.higherIsBetter ? 'maximize' : 'minimize';
  }
  await checkFolds(planned.plan, settings.folds, runtime);
  return { ...draft, metric, direction, params };
}

async function checkPoint(runtime: Runtime, setup: TrialSetup, point: Params, path: string): Promise<void> {
  try {
    await runtime.load(fromObject(foldConfig(setup, point, 0, 0, `${setup.dir}/check`), setup.config.file, setup.config.dir));
  } catch (error) {
    if (!isGraftError(error) || error.code === 'GRAFT_SEARCH_INVALID') throw error;
    throw new GraftError('GRAFT_SEARCH_INVALID', {
      what: `search.space["${path}"] can take the value ${JSON.stringify(point[path])}, which makes the config invalid`,
      why: error.message,
      fix: 'Narrow the range or the choices to values the option accepts',
      cause: error,
    });
  }
}

/** Stratified folds need every class in every fold: refuse more folds than the smallest class has samples. */
async function checkFolds(plan: Awaited<ReturnType<Runtime['load']>>['plan'], folds: number, runtime: Runtime): Promise<void> {
  const task = plan.tasks[0]!;
  const withoutFold = plan.tasks.map((t) => ({ ...t, data: { ...t.data, fold: undefined } }));
  const data = await prepareData(withoutFold, { seed: plan.seed, configDir: plan.dir, env: runtime.env, withoutTest: true, sourcePreprocessing: plan.source.plugin.preprocessing?.(plan.source.options, plan.dir) });
  const first = data.tasks[0]!;
  if (first.info.kind !== 'classes') return;
  const column = data.groups[first.dataGroup]!.dataset.train.targets[first.target]!;
  const counts = new Map<number, number>();
  column.data.forEach((c, i) => {
    if (!column.mask || column.mask[i]) counts.set(c, (counts.get(c) ?? 0) + 1);
  });
  const smallest = Math.min(...counts.values());
  if (folds > smallest) {
    throw new GraftError('GRAFT_SEARCH_INVALID', {
      what: `search.folds is ${folds}, but a class of task "${task.name}" has only ${smallest} labelled training sample${smallest === 1 ? '' : 's'}`,
      why: 'Stratified folds put every class in every held-out fold; a class with fewer samples than folds cannot be.',
      where: 'search.folds',
      fix: `Use at most ${smallest} folds, or more labelled samples per class`,
    });
  }
}

function samplerFor(settings: SearchSettings, params: readonly Param[]): Sampler {
  if (settings.sampler === 'grid') return gridSampler(params);
  if (settings.sampler === 'random') return randomSampler(params);
  return tpeSampler(params, { startup: settings.startup });
}

/** The best finished trial (ties: the earlier one). */
export function bestTrial(trials: readonly TrialRecord[], direction: 'maximize' | 'minimize'): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    if (!best || toLoss(t.mean, direction) < toLoss(best.mean, direction)) best = t;
  }
  return best;
}

/**
 * Run a study: batches of trials proposed by the sampler from the batches before (so the result does not depend
 * on how many workers ran it), each scored by stratified k-fold cross-validation on the training split, pruned
 * by the pruner; then the best configuration is retrained on the whole training split and evaluated once.
 */
export async function runSearch(runtime: Runtime, config: ConfigFile, options: SearchOptions = {}): Promise<SearchResult> {
  const setup = await prepareSearch(runtime, config);
  const { settings, params, dir } = setup;
  const files = runtime.env.artifacts;
  const lock = await files.lock(dir);
  try {
    if (options.fresh) {
      for (const name of await files.list(dir)) if (name !== '.graft.lock') await files.remove(`${dir}/${name}`);
    }
    const header = { configHash: studyConfigHash(config.raw), metric: setup.metric, direction: setup.direction, created: runtime.env.clock.now() };
    const study = await StudyStore.open(files, `${dir}/study.jsonl`, header, options.resume ?? false);
    const sampler = samplerFor(settings, params);
    const pruner = settings.pruner === 'median' ? medianPruner() : noPruner;
    const total = Math.min(settings.trials, sampler.size ?? Infinity);
    const seed = (config.structure.seed as number | undefined) ?? 0;
    for (let start = 0; start < total; start += settings.batch) {
      const earlier = study.all().filter((t) => t.number < start);
      const history: Observation[] = earlier.filter((t) => t.state === 'complete').map((t) => ({ params: t.params, loss: toLoss(t.mean, setup.direction) }));
      const reference = earlier.filter((t) => t.state === 'complete').map((t) => t.folds.map((v) => toLoss(v, setup.direction)));
      const jobs: TrialJob[] = [];
      // Constant liar (Ginsbourger, Le Riche & Carraro 2010): each proposal of a batch sees the earlier ones of
      // the same batch as if they had scored the worst loss so far, so a batch spreads out instead of
      // proposing one point four times. It depends only on earlier batches, so it is the same on any worker.
      const liar = history.length > 0 ? Math.max(...history.map((o) => o.loss)) : 0;
      const pending: Observation[] = [];
      for (let n = start; n < Math.min(start + settings.batch, total); n++) {
        const params = sampler.suggest(n, [...history, ...pending], new Rng(deriveSeed(seed, 404, n)));
        pending.push({ params, loss: liar });
        if (!study.has(n)) jobs.push({ number: n, params, reference });
      }
      await (options.executor ?? localExecutor(runtime)).runBatch(jobs, { ...setup, created: study.header.created }, pruner, async (trial) => {
        if (await study.record(trial)) options.onTrial?.(trial, study.all().length, total);
      });
    }
    const trials = study.all();
    const best = bestTrial(trials, setup.direction);
    if (!best) {
      const failed = trials.filter((t) => t.state === 'failed');
      throw new GraftError('GRAFT_SEARCH_FAILED', {
        what: `No trial of the study finished (${failed.length} failed, ${trials.length - failed.length} pruned)`,
        why: failed[0]?.error ? `The first failure: ${failed[0].error}` : undefined,
        where: `${dir}/study.jsonl`,
        fix: 'Fix what the failures say (often a learning rate range that is too high), then run `graft search --fresh`',
      });
    }
    const bestConfig = applyParams(config.raw, params, best.params) as Record<string, unknown>;
    delete bestConfig.search;
    await files.write(`${dir}/best.yaml`, `# The best configuration of the study in ${dir} (trial ${best.number}).\n${toYaml(bestConfig)}`);
    options.onFinal?.(best.params);
    // The test split is read here, once, by the retrained best configuration.
    const run = await runtime.load(fromObject(finalConfig(setup, best.params, `${dir}/best`), config.file, config.dir));
    const outcome = await run.train();
    const task = run.plan.tasks[0]!.name;
    const value = outcome.final.metrics[task]?.[setup.metric];
    const final = { split: outcome.final.split, metrics: outcome.final.metrics, value: typeof value === 'number' ? value : NaN };
    await files.write(`${dir}/results.json`, JSON.stringify({ metric: setup.metric, direction: setup.direction, best, final, trials }, null, 2));
    return { dir, metric: setup.metric, direction: setup.direction, trials, best, bestConfig, final };
  } finally {
    await lock.release();
  }
}
