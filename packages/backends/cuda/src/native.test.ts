import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { GraftError } from '@graft/core/internal';
import { afterAll, describe, expect, it } from 'vitest';
import { createNativeBackend, nvidiaModel, type NativePackage } from './native.js';

// tfjs-node cannot be installed here (its install downloads libtensorflow), so these tests install
// stand-in packages in a temporary node_modules to drive the paths a real installation takes.
const root = mkdtempSync(join(tmpdir(), 'graft-cuda-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const require = createRequire(import.meta.url);

function standIn(name: string, body: string): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), body);
}

/** A driver directory like /proc/driver/nvidia, with `gpus` GPUs of model `model`. */
function nvidiaProc(model: string | undefined, gpus = 1): string {
  const dir = mkdtempSync(join(root, 'nvidia-'));
  if (model === undefined) return dir;
  writeFileSync(join(dir, 'version'), 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15\n');
  for (let i = 0; i < gpus; i++) {
    mkdirSync(join(dir, 'gpus', `0000:0${i}:00.0`), { recursive: true });
    writeFileSync(join(dir, 'gpus', `0000:0${i}:00.0`, 'information'), `Model: \t\t ${model}\nIRQ:   \t\t 42\nGPU UUID: \t GPU-0\n`);
  }
  return dir;
}

// Fails as tfjs-node-gpu's binding does when CUDA's runtime is not on the library path.
standIn('broken-node-gpu', "throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory\\n    at Module._extensions..node');\n");
// Registers a "tensorflow" backend that reports no GPU, as tfjs-node-gpu does when TensorFlow cannot open one.
standIn(
  'cpu-only-tensorflow',
  `const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});
const { MathBackendCPU } = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'))});
tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isUsingGpuDevice: false }));\n`,
);

const from = pathToFileURL(join(root, 'index.js'));
const cudaLike = (packageName: string, proc: string): NativePackage => ({
  name: 'cuda', description: 'stand-in', priority: 30, packageName, needs: 'CUDA 11.2 and cuDNN 8.1', gpu: true, resolveFrom: from, nvidiaProc: proc,
});

describe('createNativeBackend', () => {
  it('reports a package that is installed but whose native binding fails to load, with the loader\'s first line', async () => {
    const backend = createNativeBackend(cudaLike('broken-node-gpu', nvidiaProc('NVIDIA H200')));
    expect(await backend.detect()).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Put the CUDA and cuDNN libraries it was built for (CUDA 11.2 and cuDNN 8.1) on LD_LIBRARY_PATH, or reinstall it: npm rebuild broken-node-gpu",
        "reason": "broken-node-gpu is installed but failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory",
      }
    `);
    const error = await backend.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraftError);
    expect((error as GraftError).cause).toBeInstanceOf(Error); // the loader's full trace stays reachable
  });

  it('looks for the NVIDIA driver before loading a GPU package', async () => {
    const proc = nvidiaProc(undefined);
    const availability = await createNativeBackend(cudaLike('broken-node-gpu', proc)).detect();
    expect({ ...availability, reason: availability.reason?.replace(proc, '<proc>') }).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Install the NVIDIA driver (nvidia-smi must list the GPU) with CUDA 11.2 and cuDNN 8.1, or use backend: node or wasm",
        "reason": "broken-node-gpu is installed, but no NVIDIA driver is loaded (<proc>/version does not exist)",
      }
    `);
  });

  it('refuses a GPU backend on which TensorFlow found no GPU; the CPU variant of the same package starts', async () => {
    const proc = nvidiaProc('NVIDIA H200');
    const cuda = createNativeBackend(cudaLike('cpu-only-tensorflow', proc));
    expect(await cuda.detect()).toEqual({ available: true });
    await expect(cuda.init()).rejects.toThrowErrorMatchingInlineSnapshot(`[GraftError: GRAFT_BACKEND_UNAVAILABLE: The cuda backend loaded cpu-only-tensorflow, but TensorFlow found no usable GPU and would run on the CPU. TensorFlow could not open the GPU; its log above says why (usually a CUDA or cuDNN library it cannot load). Check nvidia-smi and that CUDA 11.2 and cuDNN 8.1 are on LD_LIBRARY_PATH, or use backend: node.]`);

    const node = createNativeBackend({ ...cudaLike('cpu-only-tensorflow', proc), name: 'node', gpu: false });
    await node.init();
    expect(tf.getBackend()).toBe('tensorflow');
    expect(node.capabilities().device).toBe('CPU (TensorFlow C library)');
    expect(cuda.capabilities().device).toBe('NVIDIA H200');
    tf.removeBackend('tensorflow');
  });

  it('refuses the other tfjs-node package once one owns the "tensorflow" backend in this process', async () => {
    standIn('other-tensorflow', '');
    const other = createNativeBackend({ ...cudaLike('other-tensorflow', nvidiaProc('NVIDIA H200')), name: 'node', gpu: false });
    expect(await other.detect()).toMatchInlineSnapshot(`
      {
        "available": false,
        "fix": "Use backend: cuda (it loaded cpu-only-tensorflow), or run node in a process of its own",
        "reason": "cpu-only-tensorflow is already loaded in this process and owns tfjs's "tensorflow" backend",
      }
    `);
  });
});

describe('nvidiaModel', () => {
  it('reads the model from the driver\'s /proc entry and counts the GPUs', () => {
    expect(nvidiaModel(nvidiaProc('NVIDIA H200'))).toBe('NVIDIA H200');
    expect(nvidiaModel(nvidiaProc('NVIDIA A100-SXM4-80GB', 4))).toBe('4× NVIDIA A100-SXM4-80GB');
    expect(nvidiaModel(nvidiaProc(undefined))).toBeUndefined();
  });
});
