import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { readVocabFile, writeTinyBert } from '../fixture/tiny-bert.js';
import { BERT_VOCAB, maxAbsDiff } from '../test-utils/paths.js';
import { bertConfigJson, parseBertConfig, type BertConfig } from './config.js';
import { BertEncoder } from './encoder.js';
import { loadBertWeights } from './load-weights.js';
import type { BertWeights } from './weight-spec.js';
import { localModelFolder } from '../hf/node-access.js';

const TEXTS = ['Hello, world!', 'The unaffable man walked into a very long sentence about nothing at all.', 'Short'];

let dir: string;
let config: BertConfig;
let written: BertWeights;

beforeAll(async () => {
  await tf.setBackend('cpu');
  env.allowRemoteModels = false;
  dir = mkdtempSync(join(tmpdir(), 'graft-parity-'));
  ({ config, weights: written } = await writeTinyBert(dir, { vocab: await readVocabFile(BERT_VOCAB), hidden: 48, heads: 4, layers: 2, seed: 3 }));
});

describe('BertEncoder parity with transformers.js', () => {
  it('gives the same last_hidden_state, padding positions included, within 1e-4', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(dir);
    const batch = tokenizer(TEXTS, { padding: true });
    const [b, t] = batch.input_ids.dims as [number, number];
    const mask = Array.from(batch.attention_mask.data as BigInt64Array, Number);
    expect(mask.filter((m) => m === 0).length).toBeGreaterThan(10); // the batch really is padded
    const model = await AutoModel.from_pretrained(dir, { dtype: 'fp32' });
    const reference = await model(batch);
    const expected = reference.last_hidden_state.data as Float32Array;

    const { weights } = await loadBertWeights(localModelFolder(dir), config);
    const encoder = new BertEncoder(config, weights);
    const ids = tf.tensor2d(Array.from(batch.input_ids.data as BigInt64Array, Number), [b, t], 'int32');
    const am = tf.tensor2d(mask, [b, t], 'int32');
    const out = encoder.forward({ inputIds: ids, attentionMask: am });
    const actual = out.lastHiddenState.dataSync();
    const maxErr = maxAbsDiff(actual, expected);
    console.log(`parity: max abs error of last_hidden_state over ${expected.length} values (padding included): ${maxErr.toExponential(3)}`);
    expect(maxErr).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.poolerOutput.dataSync(), reference.pooler_output.data as Float32Array)).toBeLessThan(1e-4);
    encoder.dispose();
    await model.dispose();
  });

  it('reads the same weights from the ONNX initializers as from model.safetensors', async () => {
    const fromOnnx = await loadBertWeights(localModelFolder(dir), config, 'onnx');
    expect(fromOnnx.file).toBe('onnx/model.onnx');
    expect(fromOnnx.missing).toEqual([]);
    for (const [name, w] of written) {
      expect(fromOnnx.weights.get(name)?.shape, name).toEqual(w.shape);
      expect(maxAbsDiff(fromOnnx.weights.get(name)!.data, w.data), name).toBe(0);
    }
  });
});

describe('loadBertWeights', () => {
  it('says which of vocab size, hidden size and layer count disagree with config.json', async () => {
    const wrong = (patch: Partial<BertConfig>) => loadBertWeights(localModelFolder(dir), parseBertConfig(bertConfigJson({ ...config, ...patch }), 'config.json'));
    await expect(wrong({ numLayers: 3 })).rejects.toThrow(
      'Layer count disagrees: config.json says num_hidden_layers 3 but the weights have 2 encoder layers',
    );
    await expect(wrong({ vocabSize: 1000 })).rejects.toThrow(
      'Vocabulary size disagrees: config.json says vocab_size 1000 but the word embeddings have 30522 rows',
    );
    await expect(wrong({ hiddenSize: 64, numHeads: 4 })).rejects.toThrow('Hidden size disagrees: config.json says hidden_size 64 but the weights have 48');
  });

  it('reads BertFor* checkpoints: a `bert.` prefix, TF-era gamma/beta names, an integer position_ids buffer and no pooler', async () => {
    const { serializeSafetensors } = await import('../safetensors/safetensors.js');
    const { cpSync, rmSync } = await import('node:fs');
    const other = mkdtempSync(join(tmpdir(), 'graft-mlm-ckpt-'));
    cpSync(dir, other, { recursive: true });
    rmSync(join(other, 'onnx'), { recursive: true });
    const tensors: Record<string, { shape: number[]; data: Float32Array | Int32Array }> = {
      'bert.embeddings.position_ids': { shape: [1, config.maxPositions], data: Int32Array.from({ length: config.maxPositions }, (_, i) => i) },
      'cls.predictions.bias': { shape: [config.vocabSize], data: new Float32Array(config.vocabSize) },
    };
    for (const [name, w] of written) {
      if (name.startsWith('pooler.')) continue;
      tensors[`bert.${name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')}`] = w;
    }
    writeFileSync(join(other, 'model.safetensors'), serializeSafetensors(tensors));
    const loaded = await loadBertWeights(localModelFolder(other), config);
    expect(loaded.missing).toEqual(['pooler.dense.weight', 'pooler.dense.bias']);
    expect(maxAbsDiff(loaded.weights.get('encoder.layer.1.output.LayerNorm.weight')!.data, written.get('encoder.layer.1.output.LayerNorm.weight')!.data)).toBe(0);
    const { loadBertModel } = await import('./load-model.js');
    const model = await loadBertModel(localModelFolder(other));
    expect(model.notes).toEqual(['model.safetensors has no pooler; it was initialised randomly (pooler.dense.weight, pooler.dense.bias).']);
  });

  it('names what is missing in an ONNX graph it cannot map', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'graft-bad-onnx-'));
    const { buildBertOnnx } = await import('../onnx/bert-onnx.js');
    const renamed: BertWeights = new Map([...written].map(([k, v]) => [k.replace('attention.output.dense.bias', 'attn_out_b'), v]));
    // Without the HF-named bias, the graph's MatMul cannot be tied to attention.output.dense.
    const bytes = buildBertOnnxLoose(buildBertOnnx, renamed);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(bad, 'onnx'));
    writeFileSync(join(bad, 'onnx', 'model.onnx'), bytes);
    await expect(loadBertWeights(localModelFolder(bad), config)).rejects.toThrow(
      /GRAFT_MODEL_LOAD: The weights cannot be mapped to BERT: 4 tensors are missing \(encoder\.layer\.0\.attention\.output\.dense\.weight, encoder\.layer\.0\.attention\.output\.dense\.bias/,
    );
    await expect(loadBertWeights(localModelFolder(mkdtempSync(join(tmpdir(), 'graft-empty-'))), config)).rejects.toThrow(
      /neither model\.safetensors nor onnx\/model\.onnx/,
    );
  });
});

/** Build the graph with a weight map whose bias names were changed, re-adding them under the new names. */
function buildBertOnnxLoose(build: (c: BertConfig, w: BertWeights) => Uint8Array, renamed: BertWeights): Uint8Array {
  const proxy = new Map(renamed);
  for (let l = 0; l < config.numLayers; l++) {
    const key = `encoder.layer.${l}.attn_out_b`;
    const v = proxy.get(key)!;
    // The builder looks weights up by HF name; serve the bias under its HF name but store it as "attn_out_b_<l>".
    proxy.set(`encoder.layer.${l}.attention.output.dense.bias`, v);
  }
  const bytes = build(config, proxy);
  // Rename the bias initializer inside the serialized graph: same-length replacement keeps protobuf lengths valid.
  const text = Buffer.from(bytes);
  for (let l = 0; l < config.numLayers; l++) {
    const from = Buffer.from(`encoder.layer.${l}.attention.output.dense.bias`);
    const to = Buffer.from(`encoder.layer.${l}.attention.output.dense.BIAS`);
    let at = text.indexOf(from);
    while (at >= 0) {
      to.copy(text, at);
      at = text.indexOf(from, at + 1);
    }
  }
  return new Uint8Array(text);
}
