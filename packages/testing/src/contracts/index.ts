/**
 * Contract suites for plugin contributions, run with vitest (a peer dependency): call one inside a test
 * file with your contribution, and it declares the tests every such contribution must pass.
 */
export { sourceContract, type SourceContractOptions } from './source.js';
export { strategyContract, recordingStage } from './strategy.js';
export { backendContract } from './backend.js';
export { datasetContract } from './dataset.js';
export { weightingContract, type WeightingContractOptions } from './weighting.js';
export { taskTypeContract, type TaskTypeContractOptions } from './task-type.js';
export { comparePresetContract, type ComparePresetContractOptions } from './compare-preset.js';
export { pluginContract, type PluginContractOptions } from './plugin.js';
export { callbackContract, type CallbackContractOptions } from './callback.js';
