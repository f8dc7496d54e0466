/**
 * The browser entry of `@graft/core`: the same interfaces, training loop, checkpoints and metrics as the
 * Node entry, with browser providers for the environment services (memory artifacts and files, downloads
 * through the Cache API) and nothing that imports a `node:` module (scripts/check-browser-imports.mjs
 * enforces it). Configs come as objects; plugins are passed to {@link createBrowserRuntime}.
 */
export { GraftError, isGraftError, didYouMean, unknownName, type GraftErrorCode, type GraftErrorDetails } from './errors.js';
export { silentLogger, type Logger } from './logger.js';
export { ERROR_DOCS, type ErrorDoc } from './error-docs.js';
export type { Environment, FileStore, FileInfo, FolderLock, Resource, ResourceStore, Clock, RandomSource } from './env/environment.js';
export type { Backend, BackendAvailability, BackendCapabilities } from './backend.js';
export { OPTIMIZER_UPDATE, slotNames, updateValues, type OptimizerUpdateAttrs } from './train/optimizer-update.js';
export { MASKED_GRAD, maskedGrad, type MaskedGradMode } from './model/masked-grad.js';
export { BATCH_NORM_GRAD_SUMS, batchNormGradSums } from './model/batch-norm-training.js';
export type { PretrainedSource, SourceContext } from './source.js';
export type { Strategy, StageControl, GroupControl } from './strategy.js';
export type { CallbackPlugin, Callback, CallbackControl, TrainEvents, TrainEventName } from './callback.js';
export { TRAIN_EVENTS } from './train/callbacks.js';
export type { Task, TaskType, MetricValue } from './task.js';
export type {
  Weighting,
  WeightingMethod,
  WeightingContext,
  LossWeightingMethod,
  GradientWeightingMethod,
  StepInfo,
} from './weighting.js';
export { stepTasks } from './weighting.js';
export type { Dataset, DatasetContext, DatasetProvider, Examples, HostTensor, TargetColumn, TargetInfo } from './data/examples.js';
export type { Trunk, TrunkSplit, LayerGroup, NamedVariable } from './model/trunk.js';
export { layersTrunk, reinitializeLayer, glorotUniform, type LayersTrunkOptions } from './model/layers-trunk.js';
export { GraftModel, type GroupState } from './model/graft-model.js';
export { Head } from './model/head.js';
export { GRAFT_VERSION } from './version.js';
export { definePlugin, CONTRIBUTIONS, CONTRIBUTION_KINDS, type GraftPlugin, type PluginMeta, type PluginList, type Contributions, type ContributionKind, type EnvironmentProvider } from './plugins/define.js';
export { buildRegistry } from './plugins/build-registry.js';
export type { ModuleImporter } from './plugins/loader.js';
export type { Registry } from './plugins/registry.js';
export { composeRuntime, TOKENS, type Platform, type Runtime, type RuntimeOptions, type PlannedRun } from './compose.js';
export { openSession, trainSession, type Session, type TrainOptions, type TrainOutcome } from './session.js';
export { fromObject, resolvePlan, canonicalJson, type RunPlan, type TaskPlan, type StagePlan, type ConfigFile } from './config/load.js';
export { configJsonSchema, fullConfigSchema, configStructureSchema } from './config/schema.js';
export { commonStageSchema, type StageOptions } from './config/stage-options.js';
export { formatPath } from './config/issues.js';
export { Rng, deriveSeed } from './train/rng.js';
export { Optimizer } from './train/optimizer.js';
export { scheduleFactor } from './train/schedule.js';
export { Trainer, type TrainerSnapshot, type HistoryEntry, type StepProgress, type TrainCallbacks, type TrainResult } from './train/trainer.js';
export { evaluateSplit, predictSplit, type TaskMetrics, type SplitName } from './train/evaluate.js';
export { sliceInputs } from './train/features.js';
export { stratifiedSplit } from './data/split.js';
export { prepareData, stratifiedSample, take, type PreparedData, type PrepareOptions, type DataGroup } from './data/prepare.js';
export { encodeRun, decodeRun, loadWeights, type CheckpointMeta, type RunState } from './checkpoint/checkpoint.js';
export { encodeCheckpoint, decodeCheckpoint, type StoredTensor } from './checkpoint/codec.js';
export { sha256Hex } from './sha256.js';
export { accuracy, macroF1, confusionMatrix } from './metrics/classification.js';
export { regressionErrors } from './metrics/regression.js';
export { classificationTask } from './tasks/classification.js';
export { regressionTask } from './tasks/regression.js';
export { corePlugin } from './tasks/plugin.js';
export { equal } from './weightings/equal.js';
export { cpuBackend } from './backends/cpu.js';
export { selectBackend, type BackendNeeds } from './backends/select.js';
export { compareStrategies, entryStages, mean, std, type CompareOptions, type CompareResult, type CompareRun } from './compare/compare.js';
export { baseStage, type ComparePreset, type StageSpec } from './compare/presets.js';
export { checkpointSource } from './sources/checkpoint.js';
export { deltaM, deltaMFromTables, type DeltaMEntry } from './metrics/delta-m.js';
export { parseCsv, type CsvTable } from './data/csv.js';

export { createBrowserRuntime, type BrowserRuntimeOptions } from './browser-runtime.js';
export { browserEnvironment, memoryFileStore, indexedDbFileStore, cacheResourceStore, mirroredUrl, type BrowserEnvironmentOptions, type CacheResourceStoreOptions, type IndexedDbFileStoreOptions } from './env/browser/index.js';
export { resolvePath, basenameOf } from './env/paths.js';
