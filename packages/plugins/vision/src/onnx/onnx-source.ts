import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { GraftError, type PretrainedSource, type SourceContext, type Trunk } from '@graft/core';
import { imagePreprocess } from '../preprocess.js';
import { parseOnnx, type OnnxGraph } from './onnx-graph.js';
import { onnxTrunk } from './onnx-trunk.js';
import { compileOnnx, type OnnxProgram } from './program.js';
import { loadStateDict, parseSafetensors } from './state-dict.js';

/** torchvision's ImageNet normalisation. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Options every ONNX image source shares. */
export const onnxLocationOptions = {
  /** An .onnx file (relative to the config file). */
  path: z.string().min(1).optional().describe('ONNX file (e.g. from torch.onnx.export), relative to the config file.'),
  /** URL of an .onnx file, fetched through the resource cache. */
  url: z.url().optional().describe('URL of an ONNX file.'),
  /** Images are resized to `inputSize × inputSize`. @default the graph's input size */
  inputSize: z.number().int().min(16).max(1024).optional().describe('Size images are resized to; needed when the graph input has symbolic height/width.'),
  /** A `.safetensors` state dict (relative to the config file) whose weights replace the file's. */
  stateDict: z.string().min(1).optional().describe('safetensors state dict (torchvision/timm keys, as in the ONNX export) loaded over the graph\'s weights.'),
  /** Per-channel mean subtracted after scaling pixels to 0..1. @default ImageNet's [0.485, 0.456, 0.406] */
  mean: z.array(z.number()).min(1).max(3).default([...IMAGENET_MEAN]).describe('Per-channel mean (pixels in 0..1).'),
  /** Per-channel standard deviation. @default ImageNet's [0.229, 0.224, 0.225] */
  std: z.array(z.number().positive()).min(1).max(3).default([...IMAGENET_STD]).describe('Per-channel standard deviation (pixels in 0..1).'),
};

const options = z.strictObject({
  ...onnxLocationOptions,
  /** Node or tensor the trunk ends at. @default the input of the last Gemm/MatMul (before the classifier) */
  cut: z.string().min(1).optional().describe('Node or tensor name where the trunk ends; default: before the final Gemm/MatMul.'),
});

export type OnnxSourceOptions = z.output<typeof options>;

/**
 * Any CNN exported to ONNX (e.g. `torch.onnx.export` of a torchvision or timm model) as a trainable
 * trunk: the graph's common CNN operators become tfjs ops over tf.Variables, the graph is cut before the
 * classifier, and layer groups follow the model's modules (stages of a ResNet, blocks of a MobileNet).
 * Export with `training=torch.onnx.TrainingMode.TRAINING` (and `model.eval()`) to keep BatchNormalization
 * layers (with every BatchNorm's `momentum` set to 0 while exporting, so tracing in train mode leaves the
 * running statistics as they are); an eval-mode export folds them into the convolutions, which then train
 * without them.
 */
export const onnxSource: PretrainedSource<OnnxSourceOptions> = {
  name: 'vision/onnx',
  description: 'A CNN from an ONNX file (PyTorch export) as a trainable trunk: Conv, BN, pools, Gemm…; groups from its modules.',
  options,
  async load(o, ctx) {
    const graph = await readOnnxGraph(o, ctx, 'vision/onnx');
    return buildOnnxTrunk(graph, o, ctx, { stateDict: await readStateDict(o, ctx) });
  },
};

/** Read and decode the ONNX file named by `path` or `url`. */
export async function readOnnxGraph(o: { path?: string; url?: string }, ctx: SourceContext, source: string): Promise<OnnxGraph> {
  if ((o.path === undefined) === (o.url === undefined)) {
    throw new GraftError('GRAFT_CONFIG_INVALID', {
      what: `${source} needs exactly one of \`path\` or \`url\``,
      where: ctx.where,
      fix: 'Set `path` to an .onnx file (torch.onnx.export) or `url` to where one is published.',
    });
  }
  let bytes: Uint8Array | undefined;
  let from: string;
  if (o.path !== undefined) {
    from = ctx.env.files.resolve(ctx.configDir, o.path);
    bytes = await ctx.env.files.read(from);
    if (!bytes) {
      throw new GraftError('GRAFT_MODEL_LOAD', { what: `No ONNX file at ${from}`, where: `${ctx.where}.path`, fix: 'Give the path of an .onnx file, relative to the config file.' });
    }
  } else {
    from = o.url!;
    bytes = await ctx.env.resources.get({ url: o.url!, label: `${source} model` });
  }
  return parseOnnx(bytes, from);
}

/** The tensors of `stateDict`, when one is given. */
export async function readStateDict(o: { stateDict?: string }, ctx: SourceContext): Promise<ReturnType<typeof parseSafetensors> | undefined> {
  if (o.stateDict === undefined) return undefined;
  const path = ctx.env.files.resolve(ctx.configDir, o.stateDict);
  const bytes = await ctx.env.files.read(path);
  if (!bytes) throw new GraftError('GRAFT_MODEL_LOAD', { what: `No state dict at ${path}`, where: `${ctx.where}.stateDict`, fix: 'Give the path of a .safetensors file, relative to the config file.' });
  return parseSafetensors(bytes, path);
}

/**
 * Compile the graph up to the cut and wrap it as a trunk, after `check` and with `stateDict`'s weights;
 * on any error nothing stays allocated.
 */
export function buildOnnxTrunk(
  graph: OnnxGraph,
  o: OnnxSourceOptions,
  ctx: SourceContext,
  extra: { check?: (program: OnnxProgram) => void; stateDict?: ReturnType<typeof parseSafetensors> } = {},
): Trunk {
  const { inputSize, channels } = inputGeometry(graph, o.inputSize, ctx.where);
  if (o.mean.length !== channels || o.std.length !== channels) {
    throw new GraftError('GRAFT_CONFIG_INVALID', {
      what: `\`mean\` and \`std\` need ${channels} values, one per channel the model reads (got ${o.mean.length} and ${o.std.length})`,
      where: ctx.where,
      fix: `Give ${channels} values each, or leave them out for ImageNet's.`,
    });
  }
  const program = compileOnnx(graph, { cut: o.cut, where: ctx.where });
  try {
    extra.check?.(program);
    if (extra.stateDict) loadStateDict(program, graph, extra.stateDict, `${ctx.where}.stateDict`);
    const scale = imagePreprocess({ size: inputSize, scale: 'unit', channels });
    const trunk = onnxTrunk({
      program,
      inputSize,
      channels,
      where: ctx.where,
      preprocess: (x) => tf.div(tf.sub(scale(x), tf.tensor1d(o.mean)), tf.tensor1d(o.std)) as tf.Tensor4D,
    });
    ctx.log.info(`Loaded an ONNX graph: ${program.nodes.length} nodes, ${program.params.length} weights, ${trunk.groups.length} groups, ${trunk.featureSize} features at "${program.cut}".`);
    return trunk;
  } catch (e) {
    program.dispose();
    throw e;
  }
}

function inputGeometry(graph: OnnxGraph, inputSize: number | undefined, where: string): { inputSize: number; channels: 1 | 3 } {
  const dims = graph.input.dims;
  const [, c, h, w] = dims;
  if (dims.length !== 4 || (c !== 1 && c !== 3)) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The ONNX graph's input "${graph.input.name}" has shape [${dims.join(', ')}]; an image model reads [N, 1 or 3, H, W]`,
      where,
      fix: 'Export with a fixed channel count, e.g. torch.onnx.export(model, torch.rand(1, 3, 224, 224), …).',
    });
  }
  if (inputSize !== undefined) return { inputSize, channels: c };
  if (typeof h === 'number' && h === w) return { inputSize: h, channels: c };
  throw new GraftError('GRAFT_MODEL_LOAD', {
    what: `The ONNX graph's input "${graph.input.name}" has height × width ${h} × ${w}, which does not fix an image size`,
    where,
    why: 'The importer builds the model for one square image size',
    fix: 'Set `inputSize` (e.g. 224) in the source options.',
  });
}
