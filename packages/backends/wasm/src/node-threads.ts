import type * as WorkerThreads from 'node:worker_threads';

/**
 * Lets tfjs-backend-wasm 4.22 start its threaded build (`tfjs-backend-wasm-threaded-simd.wasm`, XNNPACK
 * on a pthreadpool) in Node, which it refuses there (`WASM_HAS_MULTITHREAD_SUPPORT` is false in Node:
 * tensorflow/tfjs#3830). Three things in its Emscripten glue do not fit Node, and are bridged here only
 * for the duration of the backend's initialisation:
 *
 * 1. Each pthread is a `new Worker(url)` where `url` is a `blob:` URL of the pthread script; Node's
 *    `worker_threads.Worker` only takes file paths (`ERR_WORKER_PATH`). While the module starts, the
 *    glue's `Worker` is a subclass that starts such a worker from a small bootstrap instead, passing it
 *    the Blob behind the URL.
 * 2. The pthread script loads the module's own script with `importScripts(URL.createObjectURL(blob))`,
 *    which in Node reads a file. The bootstrap reads the Blob itself (holding later messages until it
 *    has) and hands the script text over, with the few bundle-scope names the script refers to.
 * 3. The module sizes its thread pool as `min(threads asked, logical cores / 2)`, so on a 2-core machine
 *    it never runs more than one thread. While it starts, `os.cpus()` reports twice the threads asked.
 *
 * The workers are Emscripten's (a pool of 8, unref'd: they do not keep the process alive); what they run
 * is tfjs-backend-wasm's code. Memory becomes a SharedArrayBuffer; Float32Array views over it work as before.
 */
export async function initThreadedInNode<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  // The CommonJS module objects tfjs-backend-wasm's bundle `require`s (the same objects, not copies).
  const workerThreads = require('node:worker_threads') as typeof WorkerThreads & { Worker: typeof WorkerThreads.Worker };
  const os = require('node:os') as { cpus(): unknown[] };
  const { resolveObjectURL } = require('node:buffer') as typeof import('node:buffer');
  const path = require('node:path') as typeof import('node:path');
  const bundle = require.resolve('@tensorflow/tfjs-backend-wasm');

  const NodeWorker = workerThreads.Worker;
  class BlobUrlWorker extends NodeWorker {
    constructor(filename: string | URL, options?: WorkerThreads.WorkerOptions) {
      if (typeof filename === 'string' && filename.startsWith('blob:')) {
        const script = resolveObjectURL(filename);
        if (script === undefined) throw new Error(`the pthread script ${filename} was revoked before its worker started`);
        super(PTHREAD_BOOTSTRAP, { ...options, eval: true, workerData: { script, filename: bundle, dirname: path.dirname(bundle) } });
      } else {
        super(filename, options);
      }
    }
  }
  const cpus = os.cpus;
  const reported = cpus.call(os);
  workerThreads.Worker = BlobUrlWorker;
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => reported[i % reported.length]);
  try {
    return await start();
  } finally {
    workerThreads.Worker = NodeWorker;
    os.cpus = cpus;
  }
}

/**
 * What each pthread worker runs first (CommonJS, `eval: true`): it defines the names the module's script
 * expects from the bundle it was cut out of, runs the pthread script, and turns the `load` message's
 * Blob into text before the pthread script sees it.
 */
const PTHREAD_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const g = globalThis;
Object.assign(g, {
  require, __filename: workerData.filename, __dirname: workerData.dirname, _scriptDir: workerData.filename,
  require$$0: require('node:fs'), require$$1: require('node:path'), require$$3: require('node:perf_hooks'), require$$4: require('node:os'),
  commonjsGlobal: g,
  __values: (o) => o[Symbol.iterator](),
  __read: (o, n) => { const a = Array.from(o); return n === undefined ? a : a.slice(0, n); },
  __spreadArray: (to, from) => to.concat(Array.from(from)),
});
const MAIN = 'graft:tfjs-backend-wasm-threaded-simd.js';
workerData.script.text().then((pthreadScript) => {
  (0, eval)(pthreadScript);
  const handle = g.onmessage;
  const importScripts = g.importScripts;
  let mainScript;
  g.importScripts = (f) => (f === MAIN ? (0, eval)(mainScript) : importScripts(f));
  let held;
  g.onmessage = (e) => {
    if (held) return void held.push(e);
    const d = e.data;
    if (d.cmd !== 'load' || typeof d.urlOrBlob === 'string') return handle(e);
    held = [];
    d.urlOrBlob.text().then((text) => {
      mainScript = text;
      handle({ data: { ...d, urlOrBlob: MAIN } });
      const later = held;
      held = undefined;
      for (const m of later) g.onmessage(m);
    });
  };
});
`;
