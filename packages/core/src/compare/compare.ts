import { GraftError } from '../errors.js';
import type { ConfigFile } from '../config/load.js';
import type { Registry } from '../plugins/registry.js';
import type { Runtime } from '../runtime.js';
import type { HistoryEntry } from '../train/trainer.js';
import type { TrainOutcome } from '../session.js';
import type { TaskMetrics } from '../train/evaluate.js';
import { baseStage, type StageSpec } from './presets.js';
import { primaryValue, runVariants, type Variant, type VariantOutcome } from './variants.js';

export interface CompareOptions {
  /** Entries to run: strategy names, preset names (a plugin's or the config's), or `config` (its own stages). */
  entries: readonly string[];
  /** Seeds per entry: the config's seed, +1, +2, ... */
  seeds: number;
  /** K-fold cross-validation: each run evaluates on its held-out fold. */
  folds?: number;
  /** Labelled training samples per class to compare at (few-shot); absent: the data as configured. */
  perClass?: readonly (number | undefined)[];
  /**
   * Sources to compare the entries on (architecture as an axis): names under `compare.sources`, `config`
   * (the config's own source), or a registered source used with its default options. Absent: the config's.
   */
  sources?: readonly string[];
  /** The comparison's folder (see `runDir`); each run goes to `<dir>/compare/<id>`. */
  dir: string;
  /** Reuse the results of runs that finished before (same config). */
  resume?: boolean;
  /** Before each run. */
  onRun?: (run: { entry: string; source?: string; perClass?: number; seed: number; fold?: number; index: number; total: number }) => void;
  /** After each run (finished, failed, or reused by `resume`). */
  onDone?: (run: { id: string; backend?: string; seconds: number; error?: string; reused: boolean; index: number; total: number }) => void;
}

export interface CompareRun {
  seed: number;
  fold?: number;
  /** The compared metric of the first task; NaN when the run failed. */
  value: number;
  metrics: TaskMetrics;
  history: HistoryEntry[];
  seconds: number;
  backend?: string;
  /** Why the run failed; the comparison went on without it. */
  error?: string;
  /** Digests of the run's splits: the same seed (and fold, and few-shot size) gives every entry the same data. */
  splits?: TrainOutcome['splits'];
}

export interface CompareResult {
  strategy: string;
  /** The source this row ran on, when the comparison has several. */
  source?: string;
  perClass?: number;
  task: string;
  metric: string;
  higherIsBetter: boolean;
  /** Mean and sample std over the runs that finished. */
  mean: number;
  std: number;
  /** Runs that failed (their error is in `runs`). */
  failed: number;
  seconds: number;
  runs: CompareRun[];
}

type Raw = Record<string, unknown> & { stages: StageSpec[]; tasks: { data: Record<string, unknown> }[]; seed?: number; source: Record<string, unknown> };

/** Stage lists for every entry name a comparison can use: strategies, plugin presets, the config's presets, `config`. */
export function entryStages(raw: Raw, registry: Registry): Map<string, StageSpec[]> {
  const base = baseStage(raw.stages);
  const entries = new Map<string, StageSpec[]>();
  for (const name of registry.strategies.keys()) entries.set(name, [{ ...base, use: name }]);
  for (const preset of registry.comparePresets.values()) entries.set(preset.name, preset.stages(base));
  const presets = (raw.compare as { presets?: Record<string, StageSpec[]> } | undefined)?.presets ?? {};
  for (const [name, stages] of Object.entries(presets)) entries.set(name, stages);
  entries.set('config', raw.stages);
  return entries;
}

/** Source specs by the names `--sources` accepts. */
function sourceSpecs(raw: Raw, registry: Registry, names: readonly string[]): Map<string, Record<string, unknown>> {
  const named = (raw.compare as { sources?: Record<string, Record<string, unknown>> } | undefined)?.sources ?? {};
  const specs = new Map<string, Record<string, unknown>>();
  for (const name of names) {
    const spec = name === 'config' ? raw.source : (named[name] ?? (registry.sources.has(name) ? { use: name } : undefined));
    if (!spec) {
      throw new GraftError('GRAFT_USAGE', {
        what: `Unknown source "${name}" to compare on`,
        where: '--sources',
        choices: ['config', ...Object.keys(named), ...registry.sources.keys()],
        fix: 'Name a source under `compare.sources` in the config, `config`, or a registered source',
      });
    }
    specs.set(name, spec);
  }
  return specs;
}

/** Path-safe piece of a variant id. */
const slug = (s: string) => s.replace(/[^A-Za-z0-9._+-]/g, '_');

/**
 * Run each entry on identical data splits and seeds (for every source, when several are compared), and
 * summarise the first task's primary metric as mean ± sample standard deviation (n − 1) over the runs that
 * finished. Each run's result is written as it finishes; failed runs are recorded and the comparison goes on.
 */
export async function compareStrategies(runtime: Runtime, config: ConfigFile, options: CompareOptions): Promise<CompareResult[]> {
  const raw = structuredClone(config.raw) as Raw;
  delete raw.compare;
  // The config's own plugins may add strategies, presets and sources.
  const registry = await runtime.registryFor(config);
  const available = entryStages(structuredClone(config.raw) as Raw, registry);
  for (const entry of options.entries) {
    if (!available.has(entry)) {
      throw new GraftError('GRAFT_USAGE', {
        what: `Unknown comparison entry "${entry}"`,
        choices: [...available.keys()],
        fix: 'Use a strategy name, a preset, `config`, or add a preset under `compare.presets` in the config',
      });
    }
  }
  if (options.folds) {
    const stopping = options.entries.filter((e) => available.get(e)!.some((stage) => stage.earlyStopping !== undefined));
    if (stopping.length > 0) {
      throw new GraftError('GRAFT_USAGE', {
        what: `Cross-validation (folds) cannot be combined with early stopping, which ${stopping.map((e) => `"${e}"`).join(', ')} use`,
        why: 'With folds, the held-out fold is both the validation split early stopping selects on and the split the run is scored on, so the scores would be biased upward.',
        fix: 'Drop `earlyStopping` from the stages, or compare without folds (a separate validation split)',
      });
    }
  }
  const sources = options.sources && options.sources.length > 0 ? sourceSpecs(structuredClone(config.raw) as Raw, registry, options.sources) : undefined;
  const baseSeed = raw.seed ?? 0;
  const perClassList = options.perClass && options.perClass.length > 0 ? options.perClass : [undefined];
  const folds = options.folds ? Array.from({ length: options.folds }, (_, i) => i) : [undefined];

  interface Row { key: string; strategy: string; source?: string; perClass?: number; runs: { variant: Variant; seed: number; fold?: number }[] }
  const rows: Row[] = [];
  for (const [sourceName, sourceSpec] of sources ?? [[undefined, raw.source] as const]) {
    for (const perClass of perClassList) {
      for (const entry of options.entries) {
        const row: Row = { key: `${sourceName}/${perClass}/${entry}`, strategy: entry, source: sourceName, perClass, runs: [] };
        for (let s = 0; s < options.seeds; s++) {
          for (const fold of folds) {
            const seed = baseSeed + s;
            const id = [sourceName && `source-${slug(sourceName)}`, perClass && `per-class-${perClass}`, slug(entry), `seed-${seed}`, fold !== undefined && `fold-${fold}`].filter(Boolean).join('/');
            const variant: Variant = {
              id,
              config: {
                ...raw,
                seed,
                source: sourceSpec,
                stages: available.get(entry)!,
                tasks: raw.tasks.map((t) => ({
                  ...t,
                  data: { ...t.data, ...(perClass ? { perClass } : {}), ...(fold !== undefined ? { fold: { index: fold, count: options.folds! } } : {}) },
                })),
                ...(fold !== undefined ? { evaluate: { split: 'validation' } } : {}),
              },
            };
            row.runs.push({ variant, seed, fold });
          }
        }
        rows.push(row);
      }
    }
  }

  const all = rows.flatMap((r) => r.runs.map((run) => ({ row: r, ...run })));
  const outcomes = await runVariants(
    runtime,
    config,
    all.map((r) => r.variant),
    {
      dir: runtime.env.artifacts.resolve(options.dir, 'compare'),
      resume: options.resume,
      onStart: (_v, index, total) => {
        const r = all[index]!;
        options.onRun?.({ entry: r.row.strategy, source: r.row.source, perClass: r.row.perClass, seed: r.seed, fold: r.fold, index, total });
      },
      onFinish: (o, index, total, reused) => options.onDone?.({ id: o.id, backend: o.backend, seconds: o.seconds, error: o.error, reused, index, total }),
    },
  );
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  return rows.map((row) => summarise(row, row.runs.map((r) => ({ ...r, outcome: byId.get(r.variant.id)! }))));
}

function summarise(
  row: { strategy: string; source?: string; perClass?: number },
  runs: { seed: number; fold?: number; outcome: VariantOutcome }[],
): CompareResult {
  const first = runs[0]!.outcome;
  const task = Object.keys(first.primary)[0]!;
  const { metric, higherIsBetter } = first.primary[task]!;
  const compared: CompareRun[] = runs.map(({ seed, fold, outcome }) => ({
    seed,
    fold,
    value: primaryValue(outcome, task),
    metrics: outcome.metrics ?? {},
    history: outcome.history ?? [],
    seconds: outcome.seconds,
    backend: outcome.backend,
    ...(outcome.splits ? { splits: outcome.splits } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  }));
  const values = compared.filter((r) => !r.error).map((r) => r.value);
  return {
    strategy: row.strategy,
    ...(row.source ? { source: row.source } : {}),
    perClass: row.perClass,
    task,
    metric,
    higherIsBetter,
    mean: values.length > 0 ? mean(values) : NaN,
    std: std(values),
    failed: compared.length - values.length,
    seconds: compared.reduce((a, r) => a + r.seconds, 0),
    runs: compared,
  };
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
