import * as tf from '@tensorflow/tfjs';
import { GraftError } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import webgpuPlugin, { HARDWARE_PRIORITY, SOFTWARE_PRIORITY, webgpuBackend } from './index.js';
import { probeAdapter } from './probe.js';
import { webgpuForTests } from './test-support/webgpu.js';


describe('@graft/backend-webgpu plugin', () => {
  it('contributes the webgpu backend for Graft 0.1.0', () => {
    expect(webgpuPlugin.meta).toEqual({ name: '@graft/backend-webgpu', version: '0.1.0', graft: '0.1.0' });
    expect(webgpuPlugin.backends.map((b) => b.name)).toEqual(['webgpu']);
    expect(webgpuBackend.tfBackend).toBe('webgpu');
  });
});

const runs = await webgpuForTests();

describe.skipIf(!runs)('webgpuBackend on this machine', () => {
  it('reports the adapter it found: its name, whether it is software, and a priority to match', async () => {
    expect(await webgpuBackend.detect()).toEqual({ available: true });
    const { found } = await probeAdapter();
    const caps = webgpuBackend.capabilities();
    expect(caps.device).toContain(found!.summary.device);
    expect(caps).toMatchObject({ trainsConvolutions: true, trainsEmbeddings: true, float16: found!.summary.shaderF16 });
    expect(webgpuBackend.priority).toBe(found!.summary.software ? SOFTWARE_PRIORITY : HARDWARE_PRIORITY);
    if (found!.path === 'dawn-opengles') {
      // Dawn reaches OpenGL ES only in compatibility mode; on a GPU-less Linux that is Mesa's llvmpipe.
      expect(found!.summary.description).toMatch(/OpenGL ES/);
      expect(caps.threads).toBeGreaterThanOrEqual(1);
    }
  });

  it('init() makes webgpu the current tfjs backend, and a second init() keeps it', async () => {
    await webgpuBackend.init();
    expect(tf.getBackend()).toBe('webgpu');
    const backend = tf.backend();
    await webgpuBackend.init();
    expect(tf.backend()).toBe(backend);
    const sum = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum());
    expect(await sum.data()).toEqual(new Float32Array([14]));
    sum.dispose();
  });
});

describe('webgpuBackend.init() where no adapter can be found', () => {
  it.skipIf(runs)('throws GRAFT_BACKEND_UNAVAILABLE with the reason and the fix', async () => {
    const error = await webgpuBackend.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('GRAFT_BACKEND_UNAVAILABLE');
    expect((error as GraftError).message).toContain((await webgpuBackend.detect()).reason!);
  });
});
