import { createRequire } from 'node:module';
import { GraftError } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import cudaPlugin, { cudaBackend, nodeBackend } from './index.js';


function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('@graft/backend-cuda plugin', () => {
  it('contributes cuda (priority 30) and node (20), both on tfjs\'s "tensorflow" backend', () => {
    expect(cudaPlugin.meta).toEqual({ name: '@graft/backend-cuda', version: '0.1.0', graft: '0.1.0' });
    expect(cudaPlugin.backends.map((b) => [b.name, b.priority, b.tfBackend])).toEqual([
      ['cuda', 30, 'tensorflow'],
      ['node', 20, 'tensorflow'],
    ]);
  });
});

describe.skipIf(installed('@tensorflow/tfjs-node-gpu'))('cuda without @tensorflow/tfjs-node-gpu', () => {
  it('detect() says the package is missing and how to install it', async () => {
    expect(await cudaBackend.detect()).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "npm install @tensorflow/tfjs-node-gpu@~4.22.0 (needs Linux x64, an NVIDIA GPU with its driver, CUDA 11.2 and cuDNN 8.1; its install downloads libtensorflow)",
        "reason": "package @tensorflow/tfjs-node-gpu is not installed",
      }
    `);
  });

  it('init() throws GRAFT_BACKEND_UNAVAILABLE saying the same', async () => {
    const error = await cudaBackend.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).code).toBe('GRAFT_BACKEND_UNAVAILABLE');
    expect((error as GraftError).message).toMatchInlineSnapshot(`"GRAFT_BACKEND_UNAVAILABLE: The cuda backend is not available here. package @tensorflow/tfjs-node-gpu is not installed. npm install @tensorflow/tfjs-node-gpu@~4.22.0 (needs Linux x64, an NVIDIA GPU with its driver, CUDA 11.2 and cuDNN 8.1; its install downloads libtensorflow)."`);
  });
});

describe.skipIf(installed('@tensorflow/tfjs-node'))('node without @tensorflow/tfjs-node', () => {
  it('detect() says the package is missing and how to install it', async () => {
    expect(await nodeBackend.detect()).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "npm install @tensorflow/tfjs-node@~4.22.0 (needs Linux x64/arm64, macOS or Windows x64; its install downloads libtensorflow)",
        "reason": "package @tensorflow/tfjs-node is not installed",
      }
    `);
  });

  it('init() throws GRAFT_BACKEND_UNAVAILABLE saying the same', async () => {
    await expect(nodeBackend.init()).rejects.toThrowErrorMatchingInlineSnapshot(`[GraftError: GRAFT_BACKEND_UNAVAILABLE: The node backend is not available here. package @tensorflow/tfjs-node is not installed. npm install @tensorflow/tfjs-node@~4.22.0 (needs Linux x64/arm64, macOS or Windows x64; its install downloads libtensorflow).]`);
  });
});
