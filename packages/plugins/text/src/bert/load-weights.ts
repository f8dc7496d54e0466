import { GraftError } from '@graft/core';
import { fileWhere, isMissingFile, type ModelFolder } from '../hf/model-folder.js';
import { parseOnnxModel } from '../onnx/read-onnx.js';
import { parseSafetensors } from '../safetensors/safetensors.js';
import type { BertConfig } from './config.js';
import { bertWeightsFromOnnx } from './onnx-weights.js';
import { bertWeightSpecs, canonicalWeightName, type BertWeights } from './weight-spec.js';

export const SAFETENSORS_FILE = 'model.safetensors';
export const ONNX_FILE = 'onnx/model.onnx';

export interface LoadedBertWeights {
  weights: BertWeights;
  /** The file they came from, relative to the model directory. */
  file: string;
  /** Weights the file lacked and that must be initialised (only the pooler may be missing). */
  missing: string[];
}

/**
 * Read BERT weights from a Hugging Face directory and check them against `config.json`. `only` reads that
 * format or fails (a user who asked for ONNX weights never silently gets safetensors); without it,
 * `model.safetensors` is preferred over the ONNX initializers.
 */
export async function loadBertWeights(folder: ModelFolder, config: BertConfig, only?: 'safetensors' | 'onnx'): Promise<LoadedBertWeights> {
  const dir = folder.location;
  const order = only === 'safetensors' ? [SAFETENSORS_FILE] : only === 'onnx' ? [ONNX_FILE] : [SAFETENSORS_FILE, ONNX_FILE];
  let found: { file: string; bytes: Uint8Array } | undefined;
  for (const file of order) {
    const has = await folder.has(file);
    if (has === false) continue;
    try {
      found = { file, bytes: await folder.read(file) };
      break;
    } catch (e) {
      // A folder that cannot list its files (a URL) is asked for each weights file in turn.
      if (has === undefined && isMissingFile(e)) continue;
      throw e;
    }
  }
  if (!found && only) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `\`weights: ${only}\` asks for ${order[0]}, which the model directory does not have`,
      where: dir,
      fix: `Add ${order[0]}, or remove \`weights\` to read whichever weights file the directory has`,
    });
  }
  if (!found) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The model directory has neither ${SAFETENSORS_FILE} nor ${ONNX_FILE}`,
      where: dir,
      fix: 'Add the weights: a BERT directory in the Hugging Face layout holds model.safetensors and/or onnx/model.onnx.',
    });
  }
  const { file, bytes } = found;
  let weights: BertWeights;
  if (file === SAFETENSORS_FILE) {
    weights = new Map();
    for (const [name, t] of parseSafetensors(bytes, fileWhere(folder, file)).tensors) {
      if (t.data instanceof Float32Array) weights.set(canonicalWeightName(name), { shape: t.shape, data: t.data });
    }
  } else {
    weights = bertWeightsFromOnnx(await parseOnnxModel(bytes, folder, file));
  }
  const missing = checkBertWeights(weights, config, fileWhere(folder, file));
  return { weights, file, missing };
}

/**
 * Check weights against the config: hidden size, vocabulary size and layer count first (each named in
 * its own error, since those are the usual mix-ups), then every tensor's presence and shape. Returns the
 * names of missing pooler weights (masked-LM checkpoints have no pooler); anything else missing throws.
 */
export function checkBertWeights(weights: BertWeights, config: BertConfig, where: string): string[] {
  const disagree = (what: string, fix?: string) =>
    new GraftError('GRAFT_MODEL_LOAD', {
      what,
      where,
      why: 'config.json and the weights must describe the same model',
      fix: fix ?? 'Use the config.json that was saved with these weights.',
    });
  const words = weights.get('embeddings.word_embeddings.weight');
  if (!words || words.shape.length !== 2) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: 'The weights have no embeddings.word_embeddings.weight, so they cannot be mapped to a BERT encoder',
      where,
      fix: `Export the model with Hugging Face names (BertModel or BertFor*); found ${[...weights.keys()].slice(0, 5).join(', ') || 'no float tensors'}.`,
    });
  }
  const [vocab, hidden] = words.shape as [number, number];
  if (hidden !== config.hiddenSize) {
    throw disagree(`Hidden size disagrees: config.json says hidden_size ${config.hiddenSize} but the weights have ${hidden}`);
  }
  if (vocab !== config.vocabSize) {
    throw disagree(`Vocabulary size disagrees: config.json says vocab_size ${config.vocabSize} but the word embeddings have ${vocab} rows`);
  }
  const layers = new Set<number>();
  for (const name of weights.keys()) {
    const m = /^encoder\.layer\.(\d+)\./.exec(name);
    if (m) layers.add(Number(m[1]));
  }
  if (layers.size !== config.numLayers || (layers.size > 0 && Math.max(...layers) !== config.numLayers - 1)) {
    throw disagree(`Layer count disagrees: config.json says num_hidden_layers ${config.numLayers} but the weights have ${layers.size} encoder layers`);
  }
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const spec of bertWeightSpecs(config)) {
    const t = weights.get(spec.name);
    if (!t) missing.push(spec.name);
    else if (t.shape.join(',') !== spec.shape.join(',')) wrong.push(`${spec.name} is [${t.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
  }
  if (wrong.length > 0) throw disagree(`Weight shapes disagree with config.json: ${wrong.slice(0, 4).join('; ')}${wrong.length > 4 ? ` (and ${wrong.length - 4} more)` : ''}`);
  const fatal = missing.filter((n) => !n.startsWith('pooler.'));
  if (fatal.length > 0) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The weights cannot be mapped to BERT: ${fatal.length} tensors are missing (${fatal.slice(0, 4).join(', ')}${fatal.length > 4 ? ', …' : ''})`,
      where,
      why: 'Graft maps ONNX graphs by Hugging Face initializer names and MatMul → Add(bias) patterns; fused or quantized graphs do not have them',
      fix: 'Use model.safetensors, or an unquantized fp32 ONNX export of BertModel.',
    });
  }
  return missing;
}
