import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onnx as O } from 'onnx-proto';
import { nodeEnvironment, silentLogger, type SourceContext } from '@graft/core';
import { sourceContract } from '@graft/testing/contracts';
import { onnx } from './proto.js';
import { onnxSource } from './onnx-source.js';

/** A tiny CNN written as ONNX by hand: conv → BN → relu → conv (depthwise) → GAP → flatten → gemm. */
function tinyCnn(o: { extraOp?: string; dims?: (number | string)[] } = {}): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 100 + i * 1.7) * 0.3);
  const tensor = (name: string, dims: number[], data: Float32Array): O.ITensorProto => ({ name, dims, dataType: F, rawData: new Uint8Array(data.buffer) });
  const A = onnx.AttributeProto.AttributeType;
  const ints = (name: string, v: number[]): O.IAttributeProto => ({ name, type: A.INTS, ints: v });
  const node: O.INodeProto[] = [
    { opType: 'Conv', name: '/stem/conv/Conv', input: ['x', 'stem.conv.weight', 'stem.conv.bias'], output: ['c1'], attribute: [ints('pads', [1, 1, 1, 1]), ints('kernel_shape', [3, 3])] },
    { opType: 'BatchNormalization', name: '/stem/bn/BatchNormalization', input: ['c1', 'stem.bn.weight', 'stem.bn.bias', 'stem.bn.running_mean', 'stem.bn.running_var'], output: ['b1'] },
    { opType: o.extraOp ?? 'Relu', name: '/stem/act/Act', input: ['b1'], output: ['r1'] },
    { opType: 'Conv', name: '/blocks/blocks.0/dw/Conv', input: ['r1', 'blocks.0.dw.weight'], output: ['c2'], attribute: [ints('pads', [1, 1, 1, 1]), ints('kernel_shape', [3, 3]), { name: 'group', type: A.INT, i: 4 }] },
    { opType: 'GlobalAveragePool', name: '/pool/GlobalAveragePool', input: ['c2'], output: ['g'] },
    { opType: 'Flatten', name: '/Flatten', input: ['g'], output: ['f'] },
    { opType: 'Gemm', name: '/fc/Gemm', input: ['f', 'fc.weight', 'fc.bias'], output: ['logits'], attribute: [{ name: 'transB', type: A.INT, i: 1 }] },
  ];
  const initializer = [
    tensor('stem.conv.weight', [4, 3, 3, 3], rand(108, 1)),
    tensor('stem.conv.bias', [4], rand(4, 2)),
    tensor('stem.bn.weight', [4], Float32Array.from([1, 1.1, 0.9, 1])),
    tensor('stem.bn.bias', [4], rand(4, 3)),
    tensor('stem.bn.running_mean', [4], rand(4, 4)),
    tensor('stem.bn.running_var', [4], Float32Array.from([1, 0.8, 1.2, 1])),
    tensor('blocks.0.dw.weight', [4, 1, 3, 3], rand(36, 5)),
    tensor('fc.weight', [2, 4], rand(8, 6)),
    tensor('fc.bias', [2], rand(2, 7)),
  ];
  const dims = o.dims ?? ['batch', 3, 8, 8];
  const vi = (name: string, d: (number | string)[]): O.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: F, shape: { dim: d.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })) } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'tiny', node, initializer, input: [vi('x', dims)], output: [vi('logits', ['batch', 2])] },
  }).finish();
}

const ctx = (configDir: string): SourceContext => ({
  configDir,
  seed: 0,
  log: silentLogger,
  env: nodeEnvironment(),
  where: 'source',
  loadSource: () => Promise.reject(new Error('no nested source')),
});

const dir = await mkdtemp(join(tmpdir(), 'graft-onnx-tiny-'));
await writeFile(join(dir, 'tiny.onnx'), tinyCnn());

sourceContract(onnxSource, {
  options: onnxSource.options.parse({ path: join(dir, 'tiny.onnx') }),
  sampleInputs: () => ({ image: tf.randomUniform([2, 8, 8, 3], 0, 255) }),
});

describe('vision/onnx on a hand-written graph', () => {
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const load = (file: string, extra: Record<string, unknown> = {}) => onnxSource.load(onnxSource.options.parse({ path: file, ...extra }), ctx(dir));
  const write = async (name: string, bytes: Uint8Array) => {
    await writeFile(join(dir, name), bytes);
    return name;
  };
  let before: number;
  beforeAll(() => {
    before = tf.memory().numTensors;
  });

  it('cuts before the Gemm, groups by module and keeps BN statistics untrainable', async () => {
    const trunk = await load('tiny.onnx');
    expect(trunk.featureSize).toBe(4);
    expect(trunk.groups.map((g) => g.name)).toEqual(['stem', 'blocks']);
    const keys = trunk.weights().map((w) => w.key);
    expect(keys).toEqual(['stem.conv.weight', 'stem.conv.bias', 'stem.bn.weight', 'stem.bn.bias', 'stem.bn.running_mean', 'stem.bn.running_var', 'blocks.0.dw.weight']);
    expect(trunk.weights().filter((w) => !w.variable.trainable).map((w) => w.key)).toEqual(['stem.bn.running_mean', 'stem.bn.running_var']);
    trunk.dispose();
  });

  it('names an unsupported operator and its node, and leaves nothing allocated', async () => {
    const file = await write('softplus.onnx', tinyCnn({ extraOp: 'Softplus' }));
    const e = await load(file).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^GRAFT_MODEL_LOAD: The ONNX graph uses operators the importer does not support: Softplus \(first at node "\/stem\/act\/Act"\)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a cut that is not in the graph, suggesting a near name', async () => {
    const e = await load('tiny.onnx', { cut: '/Flaten' }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^GRAFT_INVALID_ARGUMENT: The ONNX graph has no node or tensor "\/Flaten".*Did you mean "\/Flatten"\?/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('asks for inputSize when the graph input has symbolic height and width', async () => {
    const file = await write('dynamic.onnx', tinyCnn({ dims: ['batch', 3, 'height', 'width'] }));
    const e = await load(file).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^GRAFT_MODEL_LOAD: .*height × width height × width.*Set `inputSize`/);
    const trunk = await load(file, { inputSize: 16 });
    expect(trunk.featureSize).toBe(4);
    trunk.dispose();
  });

  it('refuses a file that is not ONNX', async () => {
    const file = await write('junk.onnx', new TextEncoder().encode('not a model at all'));
    const e = await load(file).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^GRAFT_MODEL_LOAD: /);
  });
});
