/**
 * `@graft/cli`: the `graft` command, and Graft's programmatic entry with the first-party plugins loaded.
 *
 * ```ts
 * import { createRuntime, defineConfig } from '@graft/cli';
 * const run = await createRuntime().load(defineConfig({ ... }));
 * const outcome = await run.train({ callbacks: { onEpochEnd: (e) => console.log(e.epoch, e.loss) } });
 * ```
 */
export { createRuntime } from './api.js';
export { main, buildProgram } from './cli.js';
export { firstPartyPlugins } from './plugins.js';
export {
  defineConfig,
  type GraftConfig,
  type Runtime,
  type RuntimeOptions,
  type PlannedRun,
  type TrainedRun,
  type TrainOptions,
  type TrainOutcome,
  type TrainCallbacks,
  type HistoryEntry,
  type StepProgress,
  type CompareRequest,
  type CompareResult,
  type MultitaskCompareRequest,
  type MultitaskRow,
  type TaskMetrics,
  type TaskPredictions,
  type PredictRequest,
} from '@graft/core';
