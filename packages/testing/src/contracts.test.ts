import * as tf from '@tensorflow/tfjs';
import { strokesDataset } from './fixtures/synthetic.js';
import { tinyConvSource } from './fixtures/tiny-conv.js';
import { datasetContract, sourceContract } from './contracts/index.js';

datasetContract(strokesDataset, { train: 16, test: 8 });
sourceContract(tinyConvSource, { options: tinyConvSource.options.parse({ seed: 1 }), sampleInputs: () => ({ image: tf.randomUniform([2, 8, 8, 1]) }) });
