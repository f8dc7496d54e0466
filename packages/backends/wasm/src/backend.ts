import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GraftError, type Backend, type BackendCapabilities } from '@graft/core';
import { guardAllocations } from './allocation-guard.js';
import { detectWasm } from './detect.js';
import { capturingHeapMemory } from './kernels/heap-memory.js';
import { registerWasmGradientKernels } from './kernels/register.js';
import { isNode, wasmBinaryDirectory } from './wasm-files.js';

/** How the wasm backend computes. */
export interface WasmBackendOptions {
  /**
   * XNNPACK threads. 1 runs the single-threaded build (`tfjs-backend-wasm-simd.wasm`); more runs the
   * threaded one (`tfjs-backend-wasm-threaded-simd.wasm`, needs WebAssembly SIMD and, in a browser, a
   * cross-origin isolated page), at most {@link MAX_WASM_THREADS}. In Node the environment variable
   * `GRAFT_WASM_THREADS` sets it when this option is not given.
   * @default 1 ({@link DEFAULT_WASM_THREADS})
   */
  threads?: number;
}

/** tfjs-backend-wasm 4.22 starts a pool of 8 pthread workers; its thread pool takes at most those. */
export const MAX_WASM_THREADS = 8;

/**
 * Single-threaded by default: on the shared 2-core machine it was measured on (bench/backends/ab-threads.mjs,
 * load average 2 to 5), two XNNPACK threads made a MobileNet training step at 64² 1.5–3× slower (71 → 46,
 * 76 → 26 samples/s) for 2–3× the CPU time, and at 96² no faster. Each of the ~4,000 kernel calls of a step waits for both threads, and a
 * thread that has lost its core holds the call up for a scheduler time slice; a speed-up on idle cores is
 * not yet measured.
 */
export const DEFAULT_WASM_THREADS = 1;

interface Runtime {
  threads: number;
  simd: boolean;
}

/**
 * tfjs-backend-wasm (XNNPACK kernels compiled to WebAssembly) plus the gradient kernels it lacks, so that
 * CNNs and embedding models train on it; with `threads` above 1, XNNPACK's kernels run on that many threads.
 */
export function createWasmBackend(options: WasmBackendOptions = {}): Backend {
  let runtime: Runtime | undefined;
  return {
    name: 'wasm',
    description: 'WebAssembly with XNNPACK (tfjs-backend-wasm) plus Graft gradient kernels. Much faster than cpu for CNNs. Threads: GRAFT_WASM_THREADS.',
    tfBackend: 'wasm',
    priority: 10,
    detect: () => detectWasm({ threads: requestedThreads(options) }),
    async init() {
      const threads = requestedThreads(options);
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const directory = await wasmBinaryDirectory();
        // Harmless once the backend is up; must happen before its first initialisation.
        if (directory !== undefined) wasm.setWasmPaths(directory);
        registerWasmGradientKernels();
        // Notes the heap's memory as the module starts (the threaded build does not export it), for Graft's SIMD kernels.
        const setWasm = () => capturingHeapMemory(() => tf.setBackend('wasm'), () => tf.findBackend('wasm') as BackendWasm | undefined);
        let started: boolean;
        if (isNode()) {
          // tfjs never picks the threaded build in Node (tensorflow/tfjs#3830); node-threads.ts makes it run.
          const count = threads ?? DEFAULT_WASM_THREADS;
          wasm.setThreadsCount(count);
          tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', count > 1);
          if (count > 1) {
            const { initThreadedInNode } = await import('./node-threads.js');
            started = await initThreadedInNode(count, setWasm);
          } else {
            started = await setWasm();
          }
        } else {
          // Single-threaded unless more threads are asked for, as in Node: tfjs would otherwise start its
          // threaded build on any cross-origin isolated page, whose pthread workers run its glue's source text,
          // which a minifying bundler breaks (the backend then never starts).
          const count = threads ?? DEFAULT_WASM_THREADS;
          wasm.setThreadsCount(count);
          if (count === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
          started = await setWasm();
        }
        if (!started) throw new Error('tf.setBackend("wasm") returned false');
        await tf.ready();
        const backend = tf.backend() as BackendWasm;
        guardAllocations(backend);
        if (isNode()) letProcessExit(backend);
        runtime = { threads: wasm.getThreadsCount(), simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true };
      } catch (error) {
        if (error instanceof GraftError) throw error;
        const availability = await detectWasm({ threads });
        throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
          what: `The wasm backend failed to initialise${threads !== undefined && threads > 1 ? ` with ${threads} threads` : ''}`,
          why: availability.reason ?? (error instanceof Error ? error.message : String(error)),
          fix: availability.fix ?? (threads !== undefined && threads > 1 ? 'Run it single-threaded (GRAFT_WASM_THREADS=1), and report this with the cause below' : 'Use backend: cpu, and report this with the cause below'),
          cause: error,
        });
      }
    },
    capabilities(): BackendCapabilities {
      const simd = runtime?.simd ?? true;
      const threads = runtime?.threads ?? plannedThreads(options);
      return {
        trainsConvolutions: true,
        trainsEmbeddings: true,
        threads,
        device: `CPU (WebAssembly${simd ? ' SIMD' : ''}, XNNPACK${threads > 1 ? `, ${threads} threads` : ''})`,
        float16: false,
      };
    },
  };
}

/** The wasm backend with the default options (and, in Node, `GRAFT_WASM_THREADS`). */
export const wasmBackend: Backend = createWasmBackend();

/**
 * The thread count asked for: the option, else (in Node) `GRAFT_WASM_THREADS`; `undefined` when neither
 * (then {@link DEFAULT_WASM_THREADS} runs).
 */
function requestedThreads(options: WasmBackendOptions): number | undefined {
  if (options.threads !== undefined) return checkThreads(options.threads, 'the wasm backend option `threads`');
  const fromEnv = isNode() ? process.env.GRAFT_WASM_THREADS : undefined;
  if (fromEnv === undefined || fromEnv === '') return undefined;
  return checkThreads(Number(fromEnv), `GRAFT_WASM_THREADS=${fromEnv}`);
}

/** Before `init()`: the threads Node will run (a browser decides when it starts), 1 when the setting is invalid. */
function plannedThreads(options: WasmBackendOptions): number {
  if (!isNode()) return 1;
  try {
    return requestedThreads(options) ?? DEFAULT_WASM_THREADS;
  } catch {
    return 1;
  }
}

function checkThreads(threads: number, where: string): number {
  if (Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS) return threads;
  throw new GraftError('GRAFT_INVALID_ARGUMENT', {
    what: `${where} is not a thread count`,
    why: `tfjs-backend-wasm runs 1 to ${MAX_WASM_THREADS} XNNPACK threads`,
    fix: `Give a whole number from 1 to ${MAX_WASM_THREADS} (1: single-threaded)`,
  });
}

/**
 * Emscripten keeps a pthread's worker referenced while its thread runs, and XNNPACK's pool threads run
 * (waiting for work) for as long as the module lives: without this a CLI run would never exit.
 */
function letProcessExit(backend: BackendWasm): void {
  const pthreads = (backend.wasm as unknown as { PThread?: { runningWorkers: Array<{ unref?(): void }> } }).PThread;
  for (const worker of pthreads?.runningWorkers ?? []) worker.unref?.();
}
