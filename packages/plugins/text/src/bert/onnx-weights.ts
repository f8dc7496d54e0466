import type { ParsedOnnx } from '../onnx/read-onnx.js';
import { canonicalWeightName, type BertWeights } from './weight-spec.js';

/**
 * Recover `BertModel` weights from an ONNX graph's initializers. Embeddings, LayerNorm parameters and
 * biases keep their Hugging Face names in exported graphs; dense weights do not (the exporter stores
 * them transposed as `onnx::MatMul_<n>`), so each is identified by the graph: a MatMul whose second
 * input is an initializer, followed by an Add of a named `<layer>.bias`, holds `<layer>.weight`ᵀ.
 */
export function bertWeightsFromOnnx(parsed: ParsedOnnx): BertWeights {
  const { graph, initializers } = parsed;
  const weights: BertWeights = new Map();
  for (const [name, t] of initializers) weights.set(canonicalWeightName(name), t);
  const consumers = new Map<string, Array<{ opType: string; input: string[] }>>();
  for (const node of graph.node ?? []) {
    for (const input of node.input ?? []) {
      const list = consumers.get(input) ?? [];
      list.push({ opType: node.opType ?? '', input: node.input ?? [] });
      consumers.set(input, list);
    }
  }
  for (const node of graph.node ?? []) {
    if (node.opType !== 'MatMul') continue;
    const kernel = initializers.get(node.input?.[1] ?? '');
    const out = node.output?.[0];
    if (!kernel || kernel.shape.length !== 2 || !out) continue;
    for (const consumer of consumers.get(out) ?? []) {
      if (consumer.opType !== 'Add') continue;
      const biasInput = consumer.input.find((i) => i !== out && initializers.has(i));
      if (!biasInput) continue;
      const bias = canonicalWeightName(biasInput);
      if (!bias.endsWith('.bias')) continue;
      const [inp, outDim] = kernel.shape as [number, number];
      const data = new Float32Array(inp * outDim);
      for (let i = 0; i < inp; i++) for (let o = 0; o < outDim; o++) data[o * inp + i] = kernel.data[i * outDim + o]!;
      weights.set(`${bias.slice(0, -'.bias'.length)}.weight`, { shape: [outDim, inp], data });
    }
  }
  return weights;
}
