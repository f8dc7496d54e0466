import { z } from 'zod';
import { GraftError, type PretrainedSource } from '@graft/core';
import { mobilenetV2Groups } from './groups.js';
import { loadLayersSource } from './layers-source.js';

const options = z.strictObject({
  /** URL of a model.json (layers format). */
  url: z.url().optional().describe('URL of a TensorFlow.js layers model.json of keras.applications.MobileNetV2.'),
  /** Model directory (relative to the config file). */
  path: z.string().min(1).optional().describe('Directory of a TensorFlow.js layers MobileNetV2.'),
  /** @default 'out_relu' */
  cut: z.string().min(1).default('out_relu').describe('Feature layer.'),
  /** Images are resized to `inputSize × inputSize`. @default the model's input size */
  inputSize: z.number().int().min(32).max(1024).optional().describe('Size images are resized to.'),
  /** A folder or an http(s) base URL. @default `GRAFT_MIRROR`, then `GRAFT_MODEL_MIRROR` */
  mirror: z.string().min(1).optional().describe('Mirror folder or http(s) base URL standing in for `url`.'),
});

export type MobileNetV2Options = z.output<typeof options>;

/**
 * MobileNet v2 (Sandler et al. 2018) as a TensorFlow.js layers model with keras.applications layer names.
 * Google publishes MobileNet v2 for TensorFlow.js only as *graph* models (TF Hub / Kaggle), which have no
 * layers to freeze or fine-tune, so there is no default URL: convert `keras.applications.MobileNetV2`
 * with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model` and give
 * `path` or `url`.
 */
export const mobilenetV2: PretrainedSource<MobileNetV2Options> = {
  name: 'vision/mobilenet-v2',
  description: 'MobileNet v2 (keras.applications layout) from a TensorFlow.js layers model: stem, 17 bottleneck blocks, top conv.',
  options,
  async load(o, ctx) {
    const location = o.path ?? o.url;
    if (location === undefined || (o.path !== undefined && o.url !== undefined)) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: 'vision/mobilenet-v2 needs exactly one of `path` or `url`',
        where: ctx.where,
        why: 'Google publishes MobileNet v2 for TensorFlow.js only as graph models, which cannot be fine-tuned layer by layer',
        fix: 'Convert keras.applications.MobileNetV2 with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model` and set `path` to the output directory',
      });
    }
    return loadLayersSource({ location, cut: o.cut, groups: mobilenetV2Groups, inputSize: o.inputSize, mirror: o.mirror }, ctx);
  },
};
