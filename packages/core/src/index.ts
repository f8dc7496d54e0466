/**
 * `@graft/core`: the plugin API (the interfaces a plugin implements and the helpers it builds on) and the
 * runtime (load a config, train, compare, open a trained run). Internals used by first-party packages and
 * tests are on the `@graft/core/internal` subpath.
 */
export { GraftError, isGraftError, didYouMean, unknownName, type GraftErrorCode, type GraftErrorDetails } from './errors.js';
export { ERROR_DOCS, type ErrorDoc } from './error-docs.js';
export { silentLogger, stderrLogger, type Logger } from './logger.js';

// Environment services and their Node providers.
export type { Environment, FileStore, FileInfo, FolderLock, Resource, ResourceStore, Clock, RandomSource } from './env/environment.js';
export { nodeEnvironment, nodeFileStore, nodeResourceStore, defaultCacheDir, cachePathFor, mirrorFromEnv, mirrorPlaces, type NodeResourceOptions } from './env/node/index.js';
export { memoryEnvironment, memoryFileStore, memoryResourceStore } from './env/memory/index.js';

// The plugin API: what a plugin contributes, and the helpers sources build on.
export { definePlugin, CONTRIBUTIONS, CONTRIBUTION_KINDS, type GraftPlugin, type PluginMeta, type PluginList, type Contributions, type ContributionKind, type EnvironmentProvider } from './plugins/define.js';
export { packageMeta } from './plugins/package-meta.js';
export { GRAFT_VERSION } from './version.js';
export type { ModuleImporter } from './plugins/loader.js';
export type { Registry } from './plugins/registry.js';
export type { Backend, BackendAvailability, BackendCapabilities } from './backend.js';
export { OPTIMIZER_UPDATE, slotNames, updateValues, type OptimizerUpdateAttrs } from './train/optimizer-update.js';
export { MASKED_GRAD, maskedGrad, type MaskedGradMode } from './model/masked-grad.js';
export { BATCH_NORM_GRAD_SUMS, batchNormGradSums } from './model/batch-norm-training.js';
export type { PretrainedSource, SourceContext, SourcePreprocessing } from './source.js';
export type { Strategy, StageControl, GroupControl } from './strategy.js';
export type { CallbackPlugin, Callback, CallbackControl, TrainEvents, TrainEventName } from './callback.js';
export { TRAIN_EVENTS } from './train/callbacks.js';
export type { Task, TaskType, MetricValue, PretextSpec, PretextHead, PretextContext } from './task.js';
export type { Weighting, WeightingMethod, WeightingContext, LossWeightingMethod, GradientWeightingMethod, StepInfo } from './weighting.js';
export type { Augmentation, Dataset, DatasetContext, DatasetProvider, Examples, FittableSplits, HostTensor, TargetColumn, TargetInfo } from './data/examples.js';
export { stratifiedSplit, stratifiedFolds } from './data/split.js';
export { stepTasks } from './weighting.js';
export type { Trunk, TrunkSplit, LayerGroup, NamedVariable } from './model/trunk.js';
export { Head } from './model/head.js';
export type { Exporter, ExportRequest } from './run/exporter.js';
export { baseStage, type ComparePreset, type StageSpec } from './compare/presets.js';
export { layersTrunk, reinitializeLayer, glorotUniform, type LayersTrunkOptions } from './model/layers-trunk.js';
export { Rng, deriveSeed } from './train/rng.js';
export { planRun, type RunPlanReport } from './train/plan.js';
export { parseCsv, type CsvTable } from './data/csv.js';

// The runtime: configs, training, comparisons, trained runs.
export { createRuntime, composeRuntime, TOKENS, type Platform, type Runtime, type RuntimeOptions, type PlannedRun } from './runtime.js';
export type { TrainOptions, TrainOutcome } from './session.js';
export { readConfigFile } from './config/read-file.js';
export { fromObject, runDir, runName, type RunPlan, type TaskPlan, type StagePlan, type ConfigFile } from './config/load.js';
export { configJsonSchema } from './config/schema.js';
export { commonStageSchema, type StageOptions } from './config/stage-options.js';
export { defineConfig, type GraftConfig } from './config/define-config.js';
export type { HistoryEntry, StepProgress, TrainCallbacks, TrainResult, TrainerSnapshot } from './train/trainer.js';
export type { TaskMetrics, SplitName } from './train/evaluate.js';
export type { TrainedRun, PredictRequest } from './run/trained-run.js';
export type { TrainedRunOverrides } from './run/overrides.js';
export type { TaskPredictions, RawInputs } from './run/predict.js';
export type { CompareRequest, MultitaskCompareRequest } from './compare/request.js';
export type { CompareOptions, CompareResult, CompareRun } from './compare/compare.js';
export type { MultitaskCompareOptions, MultitaskRow, TaskScore } from './compare/multitask.js';
export type { Variant, VariantOutcome } from './compare/variants.js';

// Hyper-parameter search (`graft search`).
export { runSearch, prepareSearch, localExecutor, bestTrial, type SearchOptions, type SearchResult, type TrialExecutor } from './search/run.js';
export { runTrial, studyConfigHash, type TrialJob, type TrialSetup } from './search/trial.js';
export type { TrialRecord, TrialState } from './search/study.js';
export type { SearchSettings } from './search/schema.js';
export { medianPruner, noPruner, type Pruner } from './search/pruner.js';
export { gridSampler, randomSampler, tpeSampler, type Sampler, type Observation } from './search/samplers.js';
export type { Params, ParamSpec } from './search/space.js';
