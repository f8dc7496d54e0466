import * as tf from '@tensorflow/tfjs';
import { corePlugin } from '@graft/core/internal';
import { strokesDataset } from './fixtures/synthetic.js';
import { tinyConvSource } from './fixtures/tiny-conv.js';
import { datasetContract, pluginContract, sourceContract } from './contracts/index.js';
import { testingPlugin } from './plugin.js';

// The fixtures plugin, and core's own contributions (classification, regression, cpu, equal), which core
// cannot test with suites that depend on it.
pluginContract(testingPlugin);
pluginContract(corePlugin);
datasetContract(strokesDataset, { train: 16, test: 8 });
sourceContract(tinyConvSource, { options: tinyConvSource.options.parse({ seed: 1 }), sampleInputs: () => ({ image: tf.randomUniform([2, 8, 8, 1]) }) });
