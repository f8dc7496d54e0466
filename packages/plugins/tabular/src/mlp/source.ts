import { deriveSeed, GraftError, type PretrainedSource } from '@graft/core';
import { z } from 'zod';
import { ACTIVATIONS, mlpTrunk, type ActivationName } from './trunk.js';

const activationNames = Object.keys(ACTIVATIONS) as [ActivationName, ...ActivationName[]];

export const mlpOptionsSchema = z.strictObject({
  /** Widths of the hidden layers, input side first; the last is the feature size the heads read. @default [64, 32] */
  hidden: z.array(z.number().int().positive()).min(1).default([64, 32]).describe('Hidden layer widths (the last is the feature size).'),
  /** Dropout after each hidden layer while training. @default 0 */
  dropout: z.number().min(0).lt(1).default(0).describe('Dropout rate after each hidden layer.'),
  /** Non-linearity after each hidden layer. @default 'relu' */
  activation: z.enum(activationNames).default('relu').describe('Activation after each hidden layer.'),
  /** Number of input features; taken from the dataset when omitted. */
  inputSize: z.number().int().positive().optional().describe('Input features per row (default: from the dataset).'),
});

export type MlpOptions = z.output<typeof mlpOptionsSchema>;

/** Salt that keeps the trunk's seed stream apart from the run's other streams. */
const MLP_SEED_SALT = 0x6d6c70;

/**
 * `tabular/mlp`: a small MLP trunk with fresh, seeded weights, for tabular data trained from scratch. A
 * model Graft trained with it can be a source in turn (through a Graft checkpoint).
 */
export const mlpSource: PretrainedSource<MlpOptions> = {
  name: 'tabular/mlp',
  description: 'Small MLP trunk for tabular features, randomly initialised (seeded); one layer group per hidden layer.',
  options: mlpOptionsSchema,
  async load(options, ctx) {
    const shape = ctx.inputShape;
    if (shape && shape.length !== 1) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `tabular/mlp reads one flat feature vector per row, but the dataset's input has shape [${shape.join(', ')}]`,
        where: ctx.where,
        fix: 'Use a table dataset (tabular/csv), or a source for this modality.',
      });
    }
    const inputSize = options.inputSize ?? shape?.[0];
    if (inputSize === undefined) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: 'tabular/mlp does not know how many input features to expect',
        where: ctx.where,
        fix: 'Set `inputSize`, or give the first task a tabular dataset.',
      });
    }
    if (options.inputSize !== undefined && shape && shape[0] !== options.inputSize) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: `tabular/mlp has inputSize ${options.inputSize} but the dataset has ${shape[0]} features per row`,
        where: `${ctx.where}.inputSize`,
        fix: 'Remove `inputSize` to take it from the dataset.',
      });
    }
    ctx.log.debug(`tabular/mlp: ${inputSize} → ${options.hidden.join(' → ')} (${options.activation}, dropout ${options.dropout})`);
    return mlpTrunk({ ...options, inputSize, seed: deriveSeed(ctx.seed, MLP_SEED_SALT) });
  },
};
