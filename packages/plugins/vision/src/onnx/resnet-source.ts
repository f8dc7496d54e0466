import { z } from 'zod';
import { GraftError, type PretrainedSource } from '@graft/core';
import type { OnnxProgram } from './program.js';
import { buildOnnxTrunk, onnxLocationOptions, readOnnxGraph, readStateDict } from './onnx-source.js';

/** Convolutions in torchvision's ResNets up to the classifier: stem, block convs, downsample shortcuts. */
const RESNET_CONVS: Record<number, number> = { 18: 20, 34: 36, 50: 53 };

const options = z.strictObject({
  ...onnxLocationOptions,
  /** 18, 34 or 50 layers. @default 50 */
  depth: z.union([z.literal(18), z.literal(34), z.literal(50)]).default(50).describe('ResNet depth: 18, 34 or 50.'),
});

export type ResNetOptions = z.output<typeof options>;

/**
 * A torchvision ResNet (He et al. 2016, "Deep Residual Learning for Image Recognition") exported to ONNX:
 * `vision/onnx` cut before `fc`, with groups `stem`, `layer1` … `layer4`, after checking the graph has
 * the depth's convolutions. No file is downloaded by default: export one with
 * `torch.onnx.export(torchvision.models.resnet50(weights=…).eval(), torch.rand(1, 3, 224, 224), 'resnet50.onnx',
 * training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)` (BatchNorm momenta set to 0 first, see
 * `vision/onnx`) and give `path`.
 */
export const resnetSource: PretrainedSource<ResNetOptions> = {
  name: 'vision/resnet',
  description: 'A torchvision ResNet-18/34/50 from an ONNX export: trainable, groups stem, layer1 … layer4.',
  options,
  async load(o, ctx) {
    const graph = await readOnnxGraph(o, ctx, 'vision/resnet');
    if (!graph.nodes.some((n) => n.opType === 'Gemm')) throw notResnet(`it has no fully connected classifier (Gemm)`, o.depth, ctx.where);
    const stateDict = await readStateDict(o, ctx);
    const check = (program: OnnxProgram) => {
      const convs = program.nodes.filter((n) => n.opType === 'Conv').length;
      if (convs !== RESNET_CONVS[o.depth]) throw notResnet(`it has ${convs} convolutions before the classifier, not ${RESNET_CONVS[o.depth]}`, o.depth, ctx.where);
    };
    return buildOnnxTrunk(graph, { ...o, cut: undefined }, ctx, { check, stateDict });
  },
};

function notResnet(why: string, depth: number, where: string): GraftError {
  return new GraftError('GRAFT_MODEL_LOAD', {
    what: `The ONNX file is not a torchvision ResNet-${depth}`,
    why,
    where,
    fix: 'Set `depth` to the exported model\'s depth, or load other architectures with vision/onnx.',
  });
}
