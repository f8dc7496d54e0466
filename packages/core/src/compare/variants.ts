import { canonicalJson, fromObject, type ConfigFile } from '../config/load.js';
import type { Environment } from '../env/environment.js';
import { isGraftError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { TaskMetrics } from '../train/evaluate.js';
import type { HistoryEntry } from '../train/trainer.js';
import type { TrainOutcome } from '../session.js';

/** One run of a comparison: a full config derived from the user's, under a stable id. */
export interface Variant {
  /** Stable, path-safe id (`fine-tune/seed-0`): the run's folder under the comparison's and the key `--resume` uses. */
  id: string;
  /** The complete config of this run; its `output` is set by the runner. */
  config: Record<string, unknown>;
  /** Keep the run's checkpoint (a later variant may start from it). @default false */
  checkpoint?: boolean;
}

/** The primary metric of a task, as its task type defines it. */
export interface PrimaryMetric {
  metric: string;
  higherIsBetter: boolean;
}

/** What one variant left: metrics when it trained, the error when it failed. Written as `result.json` in its folder. */
export interface VariantOutcome {
  id: string;
  /** Canonical JSON of the variant's config: `--resume` reuses a result only for the same config. */
  config: string;
  /** The primary metric of each task, by task name. */
  primary: Record<string, PrimaryMetric>;
  seconds: number;
  backend?: string;
  metrics?: TaskMetrics;
  history?: HistoryEntry[];
  /** Digests of the run's splits (equal seeds, folds and few-shot sizes give equal data). */
  splits?: TrainOutcome['splits'];
  /** Why the run failed (`GRAFT_NAN_LOSS: ...`); the comparison went on without it. */
  error?: string;
  /** The run's folder. */
  dir: string;
}

export interface RunVariantsOptions {
  /** The comparison's folder; variant `id` runs in `<dir>/<id>`. */
  dir: string;
  /** Reuse the result of every variant that finished before with the same config. */
  resume?: boolean;
  /** Before each variant runs. */
  onStart?: (variant: Variant, index: number, total: number) => void;
  /** After each variant finished, failed, or was reused (`reused`). */
  onFinish?: (outcome: VariantOutcome, index: number, total: number, reused: boolean) => void;
}

const RESULT_FILE = 'result.json';

/**
 * Run variants one after another on identical data handling, writing each result as it finishes. A run that
 * fails (NaN loss, out of memory, a source that will not load) is recorded and the comparison goes on; a
 * config error stops it, since every later variant would repeat it.
 */
export async function runVariants(runtime: Runtime, file: ConfigFile, variants: readonly Variant[], options: RunVariantsOptions): Promise<VariantOutcome[]> {
  const store = runtime.env.artifacts;
  const outcomes: VariantOutcome[] = [];
  for (const [index, variant] of variants.entries()) {
    const dir = store.resolve(options.dir, variant.id);
    const config = { ...variant.config, output: { dir, checkpoint: variant.checkpoint ?? false } };
    const fingerprint = canonicalJson({ ...variant.config, output: undefined });
    const previous = options.resume ? await readOutcome(runtime.env, dir) : undefined;
    if (previous && !previous.error && previous.config === fingerprint) {
      outcomes.push(previous);
      options.onFinish?.(previous, index, variants.length, true);
      continue;
    }
    options.onStart?.(variant, index, variants.length);
    const planned = await runtime.load(fromObject(config, file.file, file.dir));
    const primary = Object.fromEntries(planned.plan.tasks.map((t) => [t.name, { metric: t.type.primaryMetric.name, higherIsBetter: t.type.primaryMetric.higherIsBetter }]));
    const started = runtime.env.clock.now();
    let outcome: VariantOutcome;
    try {
      const result = await planned.train();
      outcome = { id: variant.id, config: fingerprint, primary, seconds: (runtime.env.clock.now() - started) / 1000, backend: result.backend, metrics: result.final.metrics, history: result.history, splits: result.splits, dir };
    } catch (error) {
      if (isGraftError(error) && error.exitCode === 2) throw error;
      const message = error instanceof Error ? error.message : String(error);
      outcome = { id: variant.id, config: fingerprint, primary, seconds: (runtime.env.clock.now() - started) / 1000, error: message, dir };
    }
    await store.write(store.resolve(dir, RESULT_FILE), JSON.stringify(outcome, null, 2));
    outcomes.push(outcome);
    options.onFinish?.(outcome, index, variants.length, false);
  }
  return outcomes;
}

async function readOutcome(env: Environment, dir: string): Promise<VariantOutcome | undefined> {
  const bytes = await env.artifacts.read(env.artifacts.resolve(dir, RESULT_FILE));
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as VariantOutcome;
  } catch {
    env.log.warn(`Ignoring the unreadable ${RESULT_FILE} in ${dir}; the run is repeated.`);
    return undefined;
  }
}

/** The primary metric's value of one task in an outcome; NaN for a failed run. */
export function primaryValue(outcome: VariantOutcome, task: string): number {
  const value = outcome.metrics?.[task]?.[outcome.primary[task]?.metric ?? ''];
  return typeof value === 'number' ? value : NaN;
}
