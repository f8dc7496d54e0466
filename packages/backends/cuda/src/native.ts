import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { GraftError, type Backend, type BackendAvailability, type BackendCapabilities } from '@graft/core';

/** One of the tfjs-node packages, which bind TensorFlow's C library and register tfjs's `tensorflow` backend. */
export interface NativePackage {
  /** The Graft backend name (`cuda`, `node`). */
  name: string;
  description: string;
  priority: number;
  /** The npm package (`@tensorflow/tfjs-node-gpu`). */
  packageName: string;
  /** What installing it needs, quoted in the fix. */
  needs: string;
  /** Runs on an NVIDIA GPU, so detection also looks for the driver. */
  gpu: boolean;
  /** Where to resolve the package from. @default this module */
  resolveFrom?: string | URL;
  /** The NVIDIA driver's `/proc` directory (Linux). @default '/proc/driver/nvidia' */
  nvidiaProc?: string;
}

/** Both packages register tfjs's `tensorflow` backend, so one process can hold only one of them. */
let loaded: { packageName: string; backend: string } | undefined;

/** A Graft backend on one of the tfjs-node packages, imported only when detected or selected. */
export function createNativeBackend(spec: NativePackage): Backend {
  async function load(): Promise<{ ok: true } | { ok: false; availability: BackendAvailability; cause?: unknown }> {
    let resolved: string;
    try {
      resolved = createRequire(spec.resolveFrom ?? import.meta.url).resolve(spec.packageName);
    } catch {
      return { ok: false, availability: { available: false, reason: `package ${spec.packageName} is not installed`, fix: `npm install ${spec.packageName}@~4.22.0 (needs ${spec.needs})` } };
    }
    if (loaded !== undefined && loaded.packageName !== spec.packageName) {
      return {
        ok: false,
        availability: {
          available: false,
          reason: `${loaded.packageName} is already loaded in this process and owns tfjs's "tensorflow" backend`,
          fix: `Use backend: ${loaded.backend} (it loaded ${loaded.packageName}), or run ${spec.name} in a process of its own`,
        },
      };
    }
    if (spec.gpu && process.platform === 'linux') {
      const nvidia = spec.nvidiaProc ?? '/proc/driver/nvidia';
      if (!existsSync(join(nvidia, 'version'))) {
        return {
          ok: false,
          availability: {
            available: false,
            reason: `${spec.packageName} is installed, but no NVIDIA driver is loaded (${join(nvidia, 'version')} does not exist)`,
            fix: `Install the NVIDIA driver (nvidia-smi must list the GPU) with ${spec.needs}, or use backend: node or wasm`,
          },
        };
      }
    }
    try {
      await import(/* @vite-ignore */ pathToFileURL(resolved).href);
      loaded ??= { packageName: spec.packageName, backend: spec.name };
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        cause: error,
        availability: {
          available: false,
          reason: `${spec.packageName} is installed but failed to load: ${firstLine(error)}`,
          fix: spec.gpu
            ? `Put the CUDA and cuDNN libraries it was built for (${spec.needs}) on LD_LIBRARY_PATH, or reinstall it: npm rebuild ${spec.packageName}`
            : `Reinstall it so that it downloads libtensorflow again: npm rebuild ${spec.packageName} (needs ${spec.needs})`,
        },
      };
    }
  }

  return {
    name: spec.name,
    description: spec.description,
    tfBackend: 'tensorflow',
    priority: spec.priority,
    async detect() {
      const loaded = await load();
      return loaded.ok ? { available: true } : loaded.availability;
    },
    async init() {
      const loaded = await load();
      if (!loaded.ok) {
        throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
          what: `The ${spec.name} backend is not available here`,
          why: loaded.availability.reason,
          fix: loaded.availability.fix,
          cause: loaded.cause,
        });
      }
      if (!(await tf.setBackend('tensorflow'))) {
        throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
          what: `The ${spec.name} backend failed to start`,
          why: `${spec.packageName} loaded, but tf.setBackend("tensorflow") returned false (the console has tfjs's reason)`,
          fix: 'Use backend: wasm or cpu, and report this',
        });
      }
      await tf.ready();
      // tfjs-node-gpu silently runs on the CPU when TensorFlow finds no usable GPU.
      const gpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      if (spec.gpu && !gpu) {
        throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
          what: `The ${spec.name} backend loaded ${spec.packageName}, but TensorFlow found no usable GPU and would run on the CPU`,
          why: 'TensorFlow could not open the GPU; its log above says why (usually a CUDA or cuDNN library it cannot load)',
          fix: `Check nvidia-smi and that ${spec.needs} are on LD_LIBRARY_PATH, or use backend: node`,
        });
      }
    },
    capabilities(): BackendCapabilities {
      return {
        trainsConvolutions: true,
        trainsEmbeddings: true,
        // TensorFlow's intra-op pool uses every core; on a GPU the host side is one stream.
        threads: spec.gpu ? 1 : availableParallelism(),
        device: spec.gpu ? (nvidiaModel(spec.nvidiaProc) ?? 'NVIDIA GPU (CUDA)') : 'CPU (TensorFlow C library)',
        float16: false,
      };
    },
  };
}

/** The first GPU's model name, as the NVIDIA driver reports it under /proc (`NVIDIA H200`). */
export function nvidiaModel(nvidiaProc = '/proc/driver/nvidia'): string | undefined {
  try {
    const gpus = readdirSync(join(nvidiaProc, 'gpus')).sort();
    if (gpus.length === 0) return undefined;
    const information = readFileSync(join(nvidiaProc, 'gpus', gpus[0]!, 'information'), 'utf8');
    const model = /^Model:\s*(.+)$/m.exec(information)?.[1]?.trim();
    return model === undefined || gpus.length === 1 ? model : `${gpus.length}× ${model}`;
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
