/**
 * Contract suites for plugin contributions, run with vitest (a peer dependency): call one inside a test
 * file with your contribution, and it declares the tests every such contribution must pass.
 */
export { sourceContract, type SourceContractOptions } from './source.js';
export { strategyContract, recordingStage } from './strategy.js';
export { backendContract } from './backend.js';
export { datasetContract } from './dataset.js';
export { callbackContract, type CallbackContractOptions } from './callback.js';
