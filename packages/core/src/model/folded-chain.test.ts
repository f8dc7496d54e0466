import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from '@graft/backend-wasm';
import { foldedChain } from './folded-chain.js';

// The real ImageNet MobileNet v1 0.25 beside the repository. Missing: its test skips, except in CI.
const MOBILENET = '/work/shared/models/mobilenet_v1_0.25_224';
const hasMobileNet = existsSync(`${MOBILENET}/model.json`);

/** Max |a − b| over max |b|: the error relative to the reference's scale. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
}

/**
 * Conv(bias) → BN → relu6, depthwise(×2) → BN → ReLU(max 6), conv → BN(no γ, β) → relu, dilated conv → BN →
 * sigmoid (not fusable), with running statistics far from the initial ones: channel 0 of the first BN has a
 * mean of 50 and a spread of 0.5. `differentiable` gives bn3 γ, β and c4 no dilation (tfjs has no gradient
 * for either).
 */
function syntheticChain(differentiable = false): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [9, 9, 3] });
  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(1), biasInitializer: 'ones', name: 'c1' }),
    tf.layers.batchNormalization({ epsilon: 1e-3, name: 'bn1' }),
    tf.layers.activation({ activation: 'relu6', name: 'a1' }),
    tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'valid', useBias: false, depthwiseInitializer: init(2), name: 'd2' }),
    tf.layers.batchNormalization({ name: 'bn2' }),
    tf.layers.reLU({ maxValue: 6, name: 'a2' }),
    tf.layers.conv2d({ filters: 5, kernelSize: 1, useBias: false, kernelInitializer: init(3), name: 'c3' }),
    tf.layers.batchNormalization({ center: differentiable, scale: differentiable, name: 'bn3' }),
    tf.layers.activation({ activation: 'relu', name: 'a3' }),
    tf.layers.conv2d({ filters: 3, kernelSize: 2, dilationRate: differentiable ? 1 : 2, kernelInitializer: init(4), name: 'c4' }),
    tf.layers.batchNormalization({ name: 'bn4' }),
    tf.layers.activation({ activation: 'sigmoid', name: 'a4' }),
  ];
  const output = layers.reduce<tf.SymbolicTensor>((h, l) => l.apply(h) as tf.SymbolicTensor, input);
  const model = tf.model({ inputs: input, outputs: output });
  let seed = 10;
  for (const layer of layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    for (const w of layer.weights) {
      const v = w.read() as tf.Variable;
      const n = v.shape[0]!;
      const name = w.originalName;
      const value = tf.tidy(() => {
        const r = tf.randomUniform([n], 0, 1, 'float32', seed++);
        if (name.includes('variance')) return tf.add(tf.mul(r, 2), 0.05);
        if (name.includes('mean')) return tf.sub(tf.mul(r, 4), 2);
        if (name.includes('gamma')) return tf.add(r, 0.5);
        return tf.sub(r, 0.5);
      });
      v.assign(value);
      value.dispose();
    }
  }
  // A channel whose mean is large next to its spread: conv output ≈ 50 ± 0.5 before normalisation.
  const bn1 = model.getLayer('bn1');
  const [, , mean, variance] = bn1.weights.map((w) => w.read() as tf.Variable);
  const c1 = model.getLayer('c1');
  const bias = c1.weights[1]!.read() as tf.Variable;
  tf.tidy(() => {
    bias.assign(tf.tensor1d([50, 1, 1, 1]));
    mean.assign(tf.concat([tf.tensor1d([50]), mean.slice(1)]));
    variance.assign(tf.concat([tf.tensor1d([0.25]), variance.slice(1)]));
  });
  return model;
}

/** The real MobileNet from its model.json and weight shards. */
async function loadMobileNet(): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(`${MOBILENET}/model.json`, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(`${MOBILENET}/${p}`)));
  const weightData = new Uint8Array(Buffer.concat(buffers)).buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
}

const chainOf = (model: tf.LayersModel) => model.layers.filter((l) => l.getClassName() !== 'InputLayer');
const unfolded = (model: tf.LayersModel, x: tf.Tensor, training = false) => tf.tidy(() => model.apply(x, { training }) as tf.Tensor);

beforeAll(async () => {
  await wasmBackend.init();
  await tf.setBackend('cpu');
}, 120_000);

describe.each(['cpu', 'wasm'])('foldedChain on %s', (backend) => {
  beforeAll(() => tf.setBackend(backend));

  it('folds each conv + inference BatchNorm (+ ReLU/ReLU6) into one fused call, within 1e-5 of the layers', () => {
    const model = syntheticChain();
    const chain = foldedChain(chainOf(model), () => false);
    expect(chain.foldable).toBe(4);
    const x = tf.randomNormal([3, 9, 9, 3], 0, 1, 'float32', 5);
    const reference = unfolded(model, x);
    const kernels: string[] = [];
    const original = tf.engine().runKernel.bind(tf.engine());
    tf.engine().runKernel = (name, inputs, attrs) => (kernels.push(name), original(name, inputs, attrs));
    const folded = tf.tidy(() => chain.apply(x, false));
    tf.engine().runKernel = original;
    expect(relativeError(folded, reference)).toBeLessThan(1e-5);
    expect(kernels).not.toContain('FusedBatchNorm');
    expect(kernels.filter((k) => k === 'FusedConv2D')).toHaveLength(3);
    expect(kernels.filter((k) => k === 'FusedDepthwiseConv2D')).toHaveLength(1);
    // The non-fusable sigmoid still runs as its own layer.
    expect(kernels).toContain('Sigmoid');
    chain.dispose();
    model.dispose();
  });

  it('finds each weight by name, so freezing one (which reorders a layer\'s weights) folds the same', () => {
    const model = syntheticChain();
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 7);
    const reference = unfolded(model, x);
    // tfjs lists trainable weights first: a frozen γ moves behind β, a frozen kernel behind the bias.
    model.getLayer('bn1').weights[0]!.trainable = false;
    model.getLayer('c1').weights[0]!.trainable = false;
    expect(model.getLayer('bn1').weights.map((w) => w.originalName)).toEqual(['bn1/beta', 'bn1/gamma', 'bn1/moving_mean', 'bn1/moving_variance']);
    const chain = foldedChain(chainOf(model), () => false);
    const folded = tf.tidy(() => chain.apply(x, false));
    expect(relativeError(folded, reference)).toBeLessThan(1e-5);
    tf.dispose([folded, reference]);
    chain.dispose();
    model.dispose();
  });

  it('follows the current weights and statistics, and leaks no tensors', () => {
    const model = syntheticChain();
    const chain = foldedChain(chainOf(model), () => false);
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 6);
    tf.dispose(tf.tidy(() => chain.apply(x, false)));
    const before = tf.memory().numTensors;
    for (const layer of [model.getLayer('c1'), model.getLayer('bn2'), model.getLayer('d2')]) {
      for (const w of layer.weights) {
        const v = w.read() as tf.Variable;
        tf.tidy(() => v.assign(tf.add(v, tf.mul(tf.abs(v), 0.3))));
      }
    }
    const folded = tf.tidy(() => chain.apply(x, false));
    const reference = unfolded(model, x);
    expect(relativeError(folded, reference)).toBeLessThan(1e-5);
    tf.dispose([folded, reference]);
    tf.dispose(tf.tidy(() => chain.apply(x, false)));
    expect(tf.memory().numTensors).toBe(before);
    chain.dispose();
    model.dispose();
  });

  it('never folds BatchNorm on batch statistics', () => {
    const model = syntheticChain();
    // bn3 has no γ, β, which tfjs's BatchNorm only supports in inference mode.
    const forced = new Set<tf.layers.Layer>([model.getLayer('bn2'), model.getLayer('bn3')]);
    const chain = foldedChain(chainOf(model), (l) => forced.has(l));
    const x = tf.randomNormal([4, 9, 9, 3], 0, 1, 'float32', 7);
    // bn2 and bn3 held in inference mode the way layersTrunk does it, for the unfolded reference.
    for (const layer of forced) {
      const norm = layer as unknown as { call: (i: unknown, k: Record<string, unknown>) => unknown };
      const call = norm.call.bind(norm);
      norm.call = (i, k) => call(i, { ...k, training: false });
    }
    const stats = () => model.getLayer('bn2').weights.slice(2).map((w) => Array.from(w.read().dataSync()));
    const bn2Before = stats();
    // Training mode: bn1 and bn4 use batch statistics (and update theirs); only bn2 and bn3 fold.
    const kernels: string[] = [];
    const original = tf.engine().runKernel.bind(tf.engine());
    tf.engine().runKernel = (name, inputs, attrs) => (kernels.push(name), original(name, inputs, attrs));
    const trained = tf.tidy(() => chain.apply(x, true));
    tf.engine().runKernel = original;
    expect(kernels.filter((k) => k === 'FusedDepthwiseConv2D')).toHaveLength(1);
    expect(kernels.filter((k) => k === 'FusedBatchNorm')).toHaveLength(2);
    const reference = unfolded(model, x, true);
    expect(relativeError(trained, reference)).toBeLessThan(1e-5);
    expect(stats()).toEqual(bn2Before);
    tf.dispose([trained, reference]);
    chain.dispose();
    model.dispose();

  });

  it('trains BatchNorm on batch statistics under a tape as one op: output, gradients and moving averages as the layers\'', () => {
    // Two identical models: one through the chain, one through its layers (each updates its own moving averages).
    const [a, b] = [syntheticChain(true), syntheticChain(true)];
    // bn2 held in inference mode (it folds), the others train on batch statistics.
    const forcedA = a.getLayer('bn2');
    const forcedB = b.getLayer('bn2') as unknown as { call: (i: unknown, k: Record<string, unknown>) => unknown };
    const call = forcedB.call.bind(forcedB);
    forcedB.call = (i, k) => call(i, { ...k, training: false });
    const chain = foldedChain(chainOf(a), (l) => l === forcedA);
    const x = tf.randomNormal([4, 9, 9, 3], 0, 1, 'float32', 11);
    const target = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 12);
    const run = (model: tf.LayersModel, f: () => tf.Tensor) => {
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      let out: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        out = tf.keep(f());
        return tf.sum(tf.mul(out, target)) as tf.Scalar;
      }, vars);
      value.dispose();
      return { out: out!, grads: vars.map((v) => grads[v.name]!) };
    };
    const kernels: string[] = [];
    const original = tf.engine().runKernel.bind(tf.engine());
    tf.engine().runKernel = (name, inputs, attrs) => (kernels.push(name), original(name, inputs, attrs));
    const viaChain = run(a, () => chain.apply(x, true));
    tf.engine().runKernel = original;
    const viaLayers = run(b, () => b.apply(x, { training: true }) as tf.Tensor);
    expect(relativeError(viaChain.out, viaLayers.out)).toBeLessThan(1e-5);
    // A bias before BatchNorm on batch statistics has a zero gradient (the mean takes it away): both paths give
    // rounding noise there, compared against the largest gradient; every other gradient within 1e-4 of the layers'.
    const largest = Math.max(...viaLayers.grads.map((g) => tf.max(tf.abs(g)).dataSync()[0]!));
    viaChain.grads.forEach((g, i) => {
      const name = a.trainableWeights[i]!.originalName;
      if (name === 'c1/bias' || name === 'c4/bias') expect(tf.max(tf.abs(g)).dataSync()[0]!, name).toBeLessThan(1e-5 * largest);
      else {
        expect(relativeError(g, viaLayers.grads[i]!), name).toBeLessThan(1e-4);
        expect(tf.max(tf.abs(g)).dataSync()[0]!, name).toBeGreaterThan(0);
      }
    });
    const moving = (m: tf.LayersModel) => m.layers.flatMap((l) => l.weights.filter((w) => w.originalName.includes('moving')).map((w) => w.read()));
    const [movingA, movingB] = [moving(a), moving(b)];
    expect(movingA).toHaveLength(8);
    movingA.forEach((t, i) => expect(relativeError(t, movingB[i]!)).toBeLessThan(1e-6));
    // The trained ones moved, the inference one did not.
    const fresh = syntheticChain(true);
    expect(relativeError(a.getLayer('bn1').weights[2]!.read(), fresh.getLayer('bn1').weights[2]!.read())).toBeGreaterThan(1e-5);
    expect(relativeError(a.getLayer('bn2').weights[2]!.read(), fresh.getLayer('bn2').weights[2]!.read())).toBe(0);
    fresh.dispose();
    // Only the folded bn2 runs as a fused depthwise call; the other three train through their one op each.
    expect(kernels.filter((k) => k === 'FusedDepthwiseConv2D')).toHaveLength(1);
    expect(kernels.filter((k) => k === 'FusedBatchNorm')).toHaveLength(3);
    tf.dispose([x, target, viaChain.out, viaLayers.out, ...viaChain.grads, ...viaLayers.grads]);
    chain.dispose();
    a.dispose();
    b.dispose();
  });

  it('folds under a gradient tape too: gradients within 1e-5 of the layers\', no BatchNorm or activation kernels, no image gradient', () => {
    const model = syntheticChain(true);
    const chain = foldedChain(chainOf(model), () => false);
    const x = tf.randomNormal([4, 9, 9, 3], 0, 1, 'float32', 7);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernels: string[] = [];
    const original = tf.engine().runKernel.bind(tf.engine());
    tf.engine().runKernel = (name, inputs, attrs) => (kernels.push(name), original(name, inputs, attrs));
    const gradsOf = (f: () => tf.Tensor) => tf.variableGrads(() => tf.sum(tf.square(f())) as tf.Scalar, vars).grads;
    const viaChain = gradsOf(() => chain.apply(x, false));
    tf.engine().runKernel = original;
    const viaLayers = gradsOf(() => model.apply(x, { training: false }) as tf.Tensor);
    for (const v of vars) expect(relativeError(viaChain[v.name]!, viaLayers[v.name]!), v.name).toBeLessThan(1e-5);
    expect(Object.values(viaChain).every((g) => tf.max(tf.abs(g)).dataSync()[0]! > 0)).toBe(true);
    expect(kernels.filter((k) => k === 'FusedConv2D')).toHaveLength(3);
    expect(kernels.filter((k) => k === 'FusedDepthwiseConv2D')).toHaveLength(1);
    expect(kernels.filter((k) => /BatchNorm|^Relu|Minimum/.test(k))).toEqual([]);
    // Input gradients for c3 (into d2), d2 (into c1) and c4 (into c3); none for c1, whose input is the image.
    expect(kernels.filter((k) => k === 'Conv2DBackpropInput')).toHaveLength(2);
    expect(kernels.filter((k) => k === 'DepthwiseConv2dNativeBackpropInput')).toHaveLength(1);
    tf.dispose([x, ...Object.values(viaChain), ...Object.values(viaLayers)]);
    chain.dispose();
    model.dispose();
  });

  it.skipIf(!hasMobileNet && !process.env.CI)('matches the real MobileNet v1 0.25 layers within 1e-4, batch 4 at 96×96', async () => {
    const model = await loadMobileNet();
    const trunk = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv_pw_13_relu').output as tf.SymbolicTensor });
    const chain = foldedChain(chainOf(trunk), () => false);
    expect(chain.foldable).toBe(27);
    const x = tf.randomUniform([4, 96, 96, 3], -1, 1, 'float32', 8);
    const reference = unfolded(trunk, x);
    const folded = tf.tidy(() => chain.apply(x, false));
    expect(relativeError(folded, reference)).toBeLessThan(1e-4);
    tf.dispose([x, reference, folded]);
    chain.dispose();
    model.dispose();
  }, 60_000);

  it.skipIf(!hasMobileNet && !process.env.CI)('gives the real MobileNet\'s gradients within 1e-4 of the layers\', batch 1 at 64×64, BatchNorm in both modes', async () => {
    const model = await loadMobileNet();
    const trunk = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv_pw_13_relu').output as tf.SymbolicTensor });
    const chain = foldedChain(chainOf(trunk), () => false);
    const x = tf.randomUniform([1, 64, 64, 3], -1, 1, 'float32', 9);
    const target = tf.randomNormal([1, 2, 2, 256], 0, 1, 'float32', 10);
    const vars = trunk.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(vars).toHaveLength(27 * 3);
    const gradsOf = (f: () => tf.Tensor) => tf.variableGrads(() => tf.sum(tf.mul(f(), target)) as tf.Scalar, vars).grads;
    // Inference mode folds (measured: at most 3.7e-6 on cpu, 5.5e-6 on wasm); training mode runs each BatchNorm as one op.
    for (const training of [false, true]) {
      const viaChain = gradsOf(() => chain.apply(x, training));
      const viaLayers = gradsOf(() => trunk.apply(x, { training }) as tf.Tensor);
      for (const v of vars) expect(relativeError(viaChain[v.name]!, viaLayers[v.name]!), `${v.name}, training ${training}`).toBeLessThan(1e-4);
      tf.dispose([...Object.values(viaChain), ...Object.values(viaLayers)]);
    }
    tf.dispose([x, target]);
    chain.dispose();
    model.dispose();
  }, 60_000);

  it('passes a NaN input on to the gradients under a tape, whether or not the fused activation clamps it out of the output', () => {
    const model = syntheticChain(true);
    const chain = foldedChain(chainOf(model), () => false);
    const x = tf.tidy(() => tf.concat([tf.fill([1, 9, 9, 3], NaN), tf.randomNormal([1, 9, 9, 3], 0, 1, 'float32', 13)]));
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    for (const training of [false, true]) {
      const { value, grads } = tf.variableGrads(() => tf.sum(chain.apply(x, training)) as tf.Scalar, vars);
      const finite = Object.values(grads).every((g) => tf.tidy(() => tf.all(tf.isFinite(g)).dataSync()[0] === 1));
      expect(finite, `training ${training}`).toBe(false);
      tf.dispose([value, ...Object.values(grads)]);
    }
    x.dispose();
    chain.dispose();
    model.dispose();
  });
});
