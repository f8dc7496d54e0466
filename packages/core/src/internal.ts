/**
 * `@graft/core/internal`: everything `@graft/core` exports plus the internals first-party packages and tests
 * reach for (the loop, checkpoints, data preparation, metrics). Not part of the plugin API: it changes
 * without a major version.
 */
export * from './index.js';
export { GraftModel, type GroupState } from './model/graft-model.js';
export { buildRegistry, importPlugins } from './plugins/loader.js';
export { openSession, trainSession, type Session } from './session.js';
export { resolvePlan, canonicalJson } from './config/load.js';
export { fullConfigSchema, configStructureSchema, runNameSchema } from './config/schema.js';
export { formatPath } from './config/issues.js';
export { specSchema, parseSpec, optionShape } from './config/plugin-options.js';
export { CONFIG_LIMITS } from './config/read-limits.js';
export { Optimizer } from './train/optimizer.js';
export { scheduleFactor } from './train/schedule.js';
export { Trainer } from './train/trainer.js';
export { evaluateSplit, predictSplit } from './train/evaluate.js';
export { sliceInputs } from './train/features.js';
export { prepareData, stratifiedSample, take, type PreparedData, type PrepareOptions, type DataGroup } from './data/prepare.js';
export { encodeRun, decodeRun, loadWeights, type CheckpointMeta, type RunState } from './checkpoint/checkpoint.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoint/files.js';
export { encodeCheckpoint, decodeCheckpoint, type StoredTensor } from './checkpoint/codec.js';
export { sha256Hex } from './sha256.js';
export { readCheckpointFile, writeCheckpointFile } from './checkpoint/format.js';
export { accuracy, macroF1, confusionMatrix } from './metrics/classification.js';
export { regressionErrors } from './metrics/regression.js';
export { deltaM, deltaMFromTables, type DeltaMEntry } from './metrics/delta-m.js';
export { classificationTask } from './tasks/classification.js';
export { regressionTask } from './tasks/regression.js';
export { corePlugin } from './tasks/plugin.js';
export { equal } from './weightings/equal.js';
export { cpuBackend } from './backends/cpu.js';
export { selectBackend, type BackendNeeds } from './backends/select.js';
export { checkpointSource } from './sources/checkpoint.js';
export { compareStrategies, entryStages, mean, std } from './compare/compare.js';
export { compareMultitask } from './compare/multitask.js';
export { compareConfig, compareMultitaskConfig } from './compare/request.js';
export { runVariants, primaryValue, type RunVariantsOptions, type PrimaryMetric } from './compare/variants.js';
export { trainedRun } from './run/trained-run.js';
export { examplesFromInputs, predictExamples } from './run/predict.js';
export { checkpointIn, CHECKPOINT_FILE } from './run/checkpoint-path.js';
