import { z } from 'zod';
import { GraftError, type PretrainedSource } from '@graft/core';
import { perLayerGroups } from './groups.js';
import { loadLayersSource } from './layers-source.js';

const options = z.strictObject({
  /** URL of a model.json. */
  url: z.url().optional().describe('URL of a TensorFlow.js layers model.json.'),
  /** Model directory (relative to the config file). */
  path: z.string().min(1).optional().describe('Directory holding model.json and its weight shards.'),
  /** Feature layer; a 4-D output is globally average-pooled. @default the model's output */
  cut: z.string().min(1).optional().describe('Feature layer (a 4-D output is average-pooled).'),
  /** Ordered groups, input → output. @default one group per layer with weights */
  groups: z
    .array(z.strictObject({ name: z.string().min(1), layers: z.array(z.string().min(1)).min(1) }))
    .min(1)
    .optional()
    .describe('Layer groups, input → output; every layer with weights must be in one.'),
  /** Images are resized to `inputSize × inputSize`. @default the model's input size */
  inputSize: z.number().int().min(8).max(2048).optional().describe('Size images are resized to.'),
  /** Pixel scaling of 0..255 images: x/127.5 − 1, x/255 or none. @default 'symmetric' */
  scale: z.enum(['symmetric', 'unit', 'none']).default('symmetric').describe('Pixel scaling.'),
  /** A folder or an http(s) base URL. @default `GRAFT_MIRROR`, then `GRAFT_MODEL_MIRROR` */
  mirror: z.string().min(1).optional().describe('Mirror folder or http(s) base URL standing in for `url`.'),
});

export type TfjsLayersOptions = z.output<typeof options>;

/** Any Keras/TensorFlow.js layers image model, by URL or directory, cut at a named layer. */
export const tfjsLayers: PretrainedSource<TfjsLayersOptions> = {
  name: 'vision/tfjs-layers',
  description: 'Any TensorFlow.js layers image model (URL or directory), cut at `cut`, with given or per-layer groups.',
  options,
  async load(o, ctx) {
    const location = o.path ?? o.url;
    if (location === undefined || (o.path !== undefined && o.url !== undefined)) {
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: 'vision/tfjs-layers needs exactly one of `path` or `url`',
        where: ctx.where,
        fix: 'Set `path: ./my-model` (a directory with model.json) or `url: https://…/model.json`',
      });
    }
    const groups = o.groups;
    return loadLayersSource(
      { location, cut: o.cut, groups: groups ? () => groups : perLayerGroups, inputSize: o.inputSize, scale: o.scale, mirror: o.mirror },
      ctx,
    );
  },
};
