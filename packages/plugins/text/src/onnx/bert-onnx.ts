import type { onnx as O } from 'onnx-proto';
import type { BertConfig } from '../bert/config.js';
import type { BertWeights, HostWeight } from '../bert/weight-spec.js';
import { GraftError } from '@graft/core';
import { GraphBuilder, valueInfo } from './graph-builder.js';
import { onnx } from './proto.js';

/** Opset 17 is the first with LayerNormalization; IR 8 is what opset 17 requires. */
const OPSET = 17;
const IR_VERSION = 8;

/** Large negative bias for masked keys: exp() underflows to exactly 0 in float32, like HF's finfo.min. */
export const ATTENTION_MASK_BIAS = -10000;

/**
 * Build an ONNX graph of a `BertModel` forward pass (inputs `input_ids`, `attention_mask`,
 * `token_type_ids`; outputs `last_hidden_state` and `pooler_output`) holding `weights`.
 *
 * The graph mirrors what `optimum` exports for BERT, so transformers.js runs it like a hub model:
 * dense layers are MatMul with a transposed `[in, out]` initializer (named `onnx::MatMul_<n>`) followed
 * by an Add of the HF-named bias; embeddings and LayerNorm parameters keep their HF names; GELU is the
 * exact erf form; the attention mask enters the softmax as an additive bias.
 */
/** A classifier on top of the pooled features: dense layers (`kernel` `[in, out]`) with ReLU between them. */
export interface OnnxClassifier {
  layers: Array<{ kernel: HostWeight; bias: HostWeight }>;
  /** Which features the classifier reads. @default 'cls' */
  pooling?: 'cls' | 'mean';
}

export function buildBertOnnx(config: BertConfig, weights: BertWeights, classifier?: OnnxClassifier): Uint8Array {
  const g = new GraphBuilder();
  const H = config.hiddenSize;
  const heads = config.numHeads;
  const headDim = H / heads;
  const w = (name: string) => {
    const t = weights.get(name);
    if (!t) throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Cannot export to ONNX: weight "${name}" is missing` });
    return g.float(name, t.shape, t.data);
  };
  let matmulCount = 0;
  const dense = (x: string, prefix: string): string => {
    const t = weights.get(`${prefix}.weight`);
    if (!t) throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Cannot export to ONNX: weight "${prefix}.weight" is missing` });
    const [out, inp] = t.shape as [number, number];
    const transposed = new Float32Array(out * inp);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) transposed[i * out + o] = t.data[o * inp + i]!;
    const kernel = g.float(`onnx::MatMul_${matmulCount++}`, [inp, out], transposed);
    return g.one('Add', [g.one('MatMul', [x, kernel]), w(`${prefix}.bias`)]);
  };
  const layerNorm = (x: string, prefix: string) =>
    g.one('LayerNormalization', [x, w(`${prefix}.weight`), w(`${prefix}.bias`)], { axis: -1, epsilon: { f: config.layerNormEps } });

  // Constants.
  const one = g.float('const_one', [], [1]);
  const half = g.float('const_half', [], [0.5]);
  const sqrt2 = g.float('const_sqrt2', [], [Math.SQRT2]);
  const maskBias = g.float('const_mask_bias', [], [ATTENTION_MASK_BIAS]);
  const scale = g.float('const_attention_scale', [], [Math.sqrt(headDim)]);
  const splitShape = g.int64('const_split_heads_shape', [4], [0, 0, heads, headDim]);
  const mergeShape = g.int64('const_merge_heads_shape', [3], [0, 0, H]);
  const unsqueezeAxes = g.int64('const_mask_axes', [2], [1, 2]);
  const zero1 = g.int64('const_zero_1d', [1], [0]);
  const one1 = g.int64('const_one_1d', [1], [1]);
  const two1 = g.int64('const_two_1d', [1], [2]);
  const zeroScalar = g.int64('const_zero', [], [0]);

  // Embeddings: word + position (sliced to the sequence length) + token type, then LayerNorm.
  const seqLen = g.one('Slice', [g.one('Shape', ['input_ids']), one1, two1, zero1]);
  const positions = g.one('Slice', [w('embeddings.position_embeddings.weight'), zero1, seqLen, zero1]);
  const words = g.one('Gather', [w('embeddings.word_embeddings.weight'), 'input_ids'], { axis: 0 });
  const types = g.one('Gather', [w('embeddings.token_type_embeddings.weight'), 'token_type_ids'], { axis: 0 });
  let hidden = layerNorm(g.one('Add', [g.one('Add', [words, types]), positions]), 'embeddings.LayerNorm');

  // (1 - mask) * bias, shaped [batch, 1, 1, seq] to broadcast over heads and query positions.
  const maskFloat = g.one('Cast', ['attention_mask'], { to: onnx.TensorProto.DataType.FLOAT });
  const additiveMask = g.one('Unsqueeze', [g.one('Mul', [g.one('Sub', [one, maskFloat]), maskBias]), unsqueezeAxes]);

  for (let l = 0; l < config.numLayers; l++) {
    const p = `encoder.layer.${l}`;
    const split = (x: string, perm: number[]) => g.one('Transpose', [g.one('Reshape', [x, splitShape])], { perm });
    const q = split(dense(hidden, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const k = split(dense(hidden, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = split(dense(hidden, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = g.one('Add', [g.one('Div', [g.one('MatMul', [q, k]), scale]), additiveMask]);
    const probs = g.one('Softmax', [scores], { axis: -1 });
    const context = g.one('Reshape', [g.one('Transpose', [g.one('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), mergeShape]);
    const attended = layerNorm(g.one('Add', [dense(context, `${p}.attention.output.dense`), hidden]), `${p}.attention.output.LayerNorm`);
    const inner = dense(attended, `${p}.intermediate.dense`);
    // GELU, exact: 0.5 · x · (1 + erf(x / √2)) (Hendrycks & Gimpel 2016).
    const gelu = g.one('Mul', [g.one('Mul', [inner, half]), g.one('Add', [one, g.one('Erf', [g.one('Div', [inner, sqrt2])])])]);
    hidden = layerNorm(g.one('Add', [dense(gelu, `${p}.output.dense`), attended]), `${p}.output.LayerNorm`);
  }
  g.one('Identity', [hidden], {}, 'last_hidden_state');
  const first = g.one('Gather', [hidden, zeroScalar], { axis: 1 });
  const pooled = g.one('Tanh', [dense(first, 'pooler.dense')], {}, 'pooler_output');
  if (classifier) {
    // Mean pooling: Σ h·mask / max(Σ mask, 1) over the sequence, as the tfjs trunk computes it.
    let x =
      (classifier.pooling ?? 'cls') === 'cls'
        ? pooled
        : (() => {
            const m = g.one('Unsqueeze', [maskFloat, g.int64('const_last_axis', [1], [-1])]);
            const sum = g.one('ReduceSum', [g.one('Mul', [hidden, m]), one1], { keepdims: 0 });
            const count = g.one('Max', [g.one('ReduceSum', [m, one1], { keepdims: 0 }), one]);
            return g.one('Div', [sum, count]);
          })();
    classifier.layers.forEach((layer, i) => {
      const last = i === classifier.layers.length - 1;
      const y = g.one('Add', [
        g.one('MatMul', [x, g.float(`classifier.${i}.kernel`, layer.kernel.shape, layer.kernel.data)]),
        g.float(`classifier.${i}.bias`, layer.bias.shape, layer.bias.data),
      ]);
      x = last ? g.one('Identity', [y], {}, 'logits') : g.one('Relu', [y]);
    });
  }

  const I64 = onnx.TensorProto.DataType.INT64;
  const F32 = onnx.TensorProto.DataType.FLOAT;
  const graph: O.IGraphProto = {
    name: 'bert',
    node: g.nodes,
    initializer: g.initializers,
    input: [
      valueInfo('input_ids', I64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', I64, ['batch_size', 'sequence_length']),
      valueInfo('token_type_ids', I64, ['batch_size', 'sequence_length']),
    ],
    output: [
      valueInfo('last_hidden_state', F32, ['batch_size', 'sequence_length', H]),
      valueInfo('pooler_output', F32, ['batch_size', H]),
      ...(classifier ? [valueInfo('logits', F32, ['batch_size', classifier.layers.at(-1)!.bias.shape[0]!])] : []),
    ],
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'graft',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
