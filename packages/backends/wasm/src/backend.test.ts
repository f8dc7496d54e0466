import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import plugin, { detectWasm, registerWasmGradientKernels, wasmBackend } from './index.js';

describe('wasmBackend', () => {
  it('is a plugin for Graft 0.1.0 contributing the wasm backend above cpu', () => {
    expect(plugin.meta).toEqual({ name: '@graft/backend-wasm', version: '0.1.0', graft: '0.1.0' });
    expect(plugin.backends).toEqual([wasmBackend]);
    expect(wasmBackend.name).toBe('wasm');
    expect(wasmBackend.tfBackend).toBe('wasm');
    expect(wasmBackend.priority).toBeGreaterThan(0);
    expect(typeof registerWasmGradientKernels).toBe('function');
  });

  it('detects that tfjs-backend-wasm and its binary are usable here', async () => {
    expect(await wasmBackend.detect()).toEqual({ available: true });
  });

  it('initialises tfjs on wasm with the gradient kernels, and trains a convolution there', async () => {
    await wasmBackend.init();
    expect(tf.getBackend()).toBe('wasm');
    for (const kernel of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum']) {
      expect(tf.getKernel(kernel, 'wasm'), kernel).toBeDefined();
    }
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const filter = tf.variable(tf.fill([3, 3, 2, 1], 0.5)) as tf.Variable<tf.Rank.R4>;
    const { grads } = tf.variableGrads(() => tf.sum(tf.depthwiseConv2d(x, filter, 1, 'valid')), [filter]);
    // Each tap of a valid 3×3 window over a 4×4 image of ones is read at 2×2 output positions.
    expect(Array.from(grads[filter.name]!.dataSync())).toEqual(new Array(18).fill(4));
    tf.dispose([x, filter, ...Object.values(grads)]);
  });

  it('reports what it can do', async () => {
    await wasmBackend.init();
    expect(wasmBackend.capabilities()).toEqual({
      trainsConvolutions: true,
      trainsEmbeddings: true,
      threads: 1,
      device: 'CPU (WebAssembly SIMD, XNNPACK)',
      float16: false,
    });
  });
});

describe('detectWasm', () => {
  let empty: string | undefined;
  afterAll(async () => {
    if (empty) await rm(empty, { recursive: true, force: true });
  });

  it('says why and how to fix it when the package is not installed', async () => {
    const availability = await detectWasm({ moduleName: '@tensorflow/tfjs-backend-wasm-not-installed' });
    expect(availability.available).toBe(false);
    expect(availability.reason).toMatch(/^@tensorflow\/tfjs-backend-wasm-not-installed cannot be imported \(/);
    expect(availability.fix).toBe('Install it: npm install @tensorflow/tfjs-backend-wasm@~4.22.0');
  });

  it('says why and how to fix it when the .wasm binary is missing', async () => {
    empty = await mkdtemp(path.join(tmpdir(), 'graft-wasm-'));
    const availability = await detectWasm({ binaryDirectory: empty });
    expect(availability.available).toBe(false);
    expect(availability.reason).toContain(`the WebAssembly binary ${path.join(empty, 'tfjs-backend-wasm-simd.wasm')} cannot be read`);
    expect(availability.fix).toMatchInlineSnapshot(
      `"Reinstall the package (npm install @tensorflow/tfjs-backend-wasm@~4.22.0); when bundling, copy its dist/*.wasm files next to the bundle"`,
    );
  });

  it('checks the threaded build when asked for more than one thread', async () => {
    empty ??= await mkdtemp(path.join(tmpdir(), 'graft-wasm-'));
    const availability = await detectWasm({ binaryDirectory: empty, threads: 2 });
    expect(availability.available).toBe(false);
    expect(availability.reason).toContain(`the WebAssembly binary ${path.join(empty, 'tfjs-backend-wasm-threaded-simd.wasm')} cannot be read`);
    expect(await detectWasm({ threads: 2 })).toEqual({ available: true });
  });
});
