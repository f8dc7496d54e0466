export { buildTinyConv, saveLayersModel, loadTinyLayersModel, writeTinyConvFixture, tinyConvSource, TINY_CONV_GROUPS } from './fixtures/tiny-conv.js';
export { strokesDataset } from './fixtures/synthetic.js';
export { testingPlugin } from './plugin.js';
export { sourceContract, type SourceContractOptions } from './contracts/source.js';
export { strategyContract, recordingStage } from './contracts/strategy.js';
export { backendContract } from './contracts/backend.js';
