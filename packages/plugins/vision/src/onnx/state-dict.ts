import * as tf from '@tensorflow/tfjs';
import { GraftError } from '@graft/core';
import type { OnnxGraph } from './onnx-graph.js';
import type { OnnxProgram } from './program.js';

/** A float tensor of a safetensors file. */
interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Read a `.safetensors` file (8-byte little-endian header length, JSON header, raw data), as torchvision
 * and timm state dicts are published. Float32 tensors are kept; integer bookkeeping such as BN's
 * `num_batches_tracked` is skipped.
 */
export function parseSafetensors(bytes: Uint8Array, where: string): Map<string, StoredTensor> {
  const fail = (what: string) => new GraftError('GRAFT_MODEL_LOAD', { what, where, fix: 'Save the state dict with safetensors.torch.save_file(model.state_dict(), path).' });
  if (bytes.byteLength < 8) throw fail('The file is too short to be a safetensors file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) throw fail('The safetensors header length points past the end of the file');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as typeof header;
  } catch (cause) {
    throw fail(`The safetensors header is not JSON (${(cause as Error).message})`);
  }
  const base = 8 + headerLength;
  const out = new Map<string, StoredTensor>();
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    if (entry.dtype !== 'F32') {
      if (entry.dtype.startsWith('I') || entry.dtype.startsWith('U') || entry.dtype === 'BOOL') continue;
      throw fail(`Tensor "${key}" is ${entry.dtype}; the loader reads F32 weights (convert with model.float() before saving)`);
    }
    const [start, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - start !== count * 4 || base + end > bytes.byteLength) throw fail(`Tensor "${key}" does not fit its shape or the file`);
    const data = new Float32Array(count);
    const tview = new DataView(bytes.buffer, bytes.byteOffset + base + start, count * 4);
    for (let i = 0; i < count; i++) data[i] = tview.getFloat32(i * 4, true);
    out.set(key, { shape: entry.shape, data });
  }
  return out;
}

/**
 * Replace the program's weights by a state dict whose keys are the graph's initializer names (a PyTorch
 * export keeps them). Every key is checked first: missing, unexpected and mis-shaped keys are listed
 * in one error, and nothing is assigned unless all match. Keys of graph weights beyond the cut (the
 * classifier) are accepted and ignored.
 */
export function loadStateDict(program: OnnxProgram, graph: OnnxGraph, tensors: Map<string, StoredTensor>, where: string): void {
  const missing = program.params.filter((p) => !tensors.has(p.key)).map((p) => p.key);
  const unexpected = [...tensors.keys()].filter((k) => !graph.constants.has(k));
  const misShaped = program.params
    .filter((p) => tensors.has(p.key))
    .filter((p) => tensors.get(p.key)!.shape.join(',') !== graph.constants.get(p.key)!.shape.join(','))
    .map((p) => `${p.key} [${tensors.get(p.key)!.shape.join(', ')}] ≠ [${graph.constants.get(p.key)!.shape.join(', ')}]`);
  if (missing.length + unexpected.length + misShaped.length > 0) {
    const list = (name: string, keys: string[]) => (keys.length === 0 ? [] : [`${keys.length} ${name}: ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`]);
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The state dict does not match the ONNX graph (${[...list('missing', missing), ...list('unexpected', unexpected), ...list('with another shape', misShaped)].join('; ')})`,
      where,
      why: 'Its keys must be the initializer names of the ONNX export of the same architecture',
      fix: 'Give the state dict of the exported architecture (same depth and width), saved from model.state_dict().',
    });
  }
  for (const p of program.params) {
    const t = tensors.get(p.key)!;
    const value = tf.tidy(() => p.layout(tf.tensor(t.data, t.shape)));
    p.variable.assign(value);
    value.dispose();
  }
}
