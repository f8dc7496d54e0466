import { createHash } from 'node:crypto';
import { canonicalJson, fromObject, type ConfigFile } from '../config/load.js';
import { GraftError, isGraftError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { Pruner } from './pruner.js';
import type { SearchSettings } from './schema.js';
import { applyParams, parseSpace, type Params } from './space.js';
import type { TrialRecord } from './study.js';

/** What a trial needs besides its parameters: the same for every trial of a study, wherever it runs. */
export interface TrialSetup {
  config: ConfigFile;
  settings: SearchSettings;
  /** The metric of the first task, and whether higher is better. */
  metric: string;
  direction: 'maximize' | 'minimize';
  /** Folder of the study: trial runs go to `trials/<n>/fold-<k>` below it. */
  dir: string;
  /** When the study began (ms since the epoch; kept by `--resume`, new with `--fresh`): it tells studies apart. */
  created?: number;
}

/** A trial to run: its number, its point, and the finished trials its pruning decision may look at. */
export interface TrialJob {
  number: number;
  params: Params;
  /** Per-fold losses of the reference trials (earlier batches), for the pruner. */
  reference: number[][];
}

/** sha256 of the config as trials see it: workers and resumed studies refuse any other. */
export function studyConfigHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}

/** The config a trial trains on one fold: the parameters applied, the fold held out as validation, no checkpoints. */
export function foldConfig(setup: TrialSetup, params: Params, fold: number, seedOffset: number, outDir: string): Record<string, unknown> {
  const raw = applyParams(setup.config.raw, parseSpace(setup.settings.space), params) as Record<string, unknown> & {
    tasks: { data: Record<string, unknown> }[];
    seed?: number;
  };
  const { search: _search, compare: _compare, ...rest } = raw;
  return {
    ...rest,
    seed: (raw.seed ?? 0) + seedOffset,
    // Folds replace the validation fraction: every score is a held-out estimate on the training split only.
    tasks: raw.tasks.map((t) => ({ ...t, data: { ...withoutValidation(t.data), fold: { index: fold, count: setup.settings.folds } } })),
    evaluate: { split: 'validation' },
    output: { dir: outDir, checkpoint: false },
  };
}

/** The best trial's config: the parameters applied, trained on the whole training split, evaluated as configured. */
export function finalConfig(setup: TrialSetup, params: Params, outDir: string): Record<string, unknown> {
  const raw = applyParams(setup.config.raw, parseSpace(setup.settings.space), params) as Record<string, unknown> & { tasks: { data: Record<string, unknown> }[] };
  const { search: _search, compare: _compare, ...rest } = raw;
  return { ...rest, tasks: raw.tasks.map((t) => ({ ...t, data: withoutValidation(t.data) })), output: { ...(raw.output as object | undefined), dir: outDir } };
}

function withoutValidation(data: Record<string, unknown>): Record<string, unknown> {
  const { validation: _v, ...rest } = data;
  return rest;
}

/** Orient a metric so that lower is better. */
export function toLoss(value: number, direction: 'maximize' | 'minimize'): number {
  return direction === 'maximize' ? -value : value;
}

/**
 * Train the trial's configuration on each fold (and seed), scoring the held-out fold; after each fold the
 * pruner may stop it. A run that fails (a NaN loss, a bad sampled value) makes the trial `failed`, not the study.
 */
export async function runTrial(runtime: Runtime, setup: TrialSetup, job: TrialJob, pruner: Pruner, worker = 'local'): Promise<TrialRecord> {
  const started = Date.now();
  const folds: number[] = [];
  const losses: number[] = [];
  let state: TrialRecord['state'] = 'complete';
  try {
    for (let fold = 0; fold < setup.settings.folds; fold++) {
      let sum = 0;
      for (let s = 0; s < setup.settings.seeds; s++) {
        const out = `${setup.dir}/trials/${job.number}/fold-${fold}${setup.settings.seeds > 1 ? `-seed-${s}` : ''}`;
        const run = await runtime.load(fromObject(foldConfig(setup, job.params, fold, s, out), setup.config.file, setup.config.dir));
        // Yield to the event loop after each epoch: a queue worker's child process must still hear that its
        // worker died (and stop) while it trains.
        const outcome = await run.train({ callbacks: { onEpochEnd: () => new Promise<void>((r) => setTimeout(r, 0)) } });
        const task = run.plan.tasks[0]!.name;
        const value = outcome.final.metrics[task]?.[setup.metric];
        if (typeof value !== 'number') {
          throw new GraftError('GRAFT_SEARCH_INVALID', {
            what: `Task "${task}" reports no metric "${setup.metric}"`,
            where: 'search.metric',
            choices: Object.keys(outcome.final.metrics[task] ?? {}),
          });
        }
        sum += value;
      }
      folds.push(sum / setup.settings.seeds);
      losses.push(toLoss(folds[fold]!, setup.direction));
      if (fold < setup.settings.folds - 1 && pruner.shouldPrune(losses, job.reference)) {
        state = 'pruned';
        break;
      }
    }
  } catch (error) {
    // A study-wide mistake (a metric the task lacks) stops the study; a trial's own failure does not.
    if (isGraftError(error) && error.code === 'GRAFT_SEARCH_INVALID') throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { number: job.number, params: job.params, state: 'failed', folds, mean: NaN, std: NaN, seconds: (Date.now() - started) / 1000, error: message, worker };
  }
  return { number: job.number, params: job.params, state, folds, mean: mean(folds), std: std(folds), seconds: (Date.now() - started) / 1000, worker };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
}

function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}
