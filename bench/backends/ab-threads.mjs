#!/usr/bin/env node
// A/B: the wasm backend single-threaded (tfjs-backend-wasm-simd.wasm, what it ran before) against its
// threaded build (tfjs-backend-wasm-threaded-simd.wasm) with 1 and 2 XNNPACK threads, and PyTorch with
// 1 and 2 threads: a MobileNet v1 (alpha 0.25) training step (forward + backward + Adam, BatchNorm in
// training mode, as run.mjs's `train`) and inference, batch 16. Every configuration runs in its own
// process; the processes are interleaved (each repetition runs every configuration once), so a change in
// the machine's load hits them all alike. Prints wall-clock samples/s and process CPU ms per step
// (medians), and the load average before and after.
//
//   node bench/backends/ab-threads.mjs [--sizes 64,96] [--reps 5] [--steps 3] [--batch 16]
//                                      [--configs wasm,wasm-t1,wasm-t2,torch-1,torch-2]
//
// A configuration's own process: node bench/backends/ab-threads.mjs --child wasm-t2 --sizes 64 ...
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs, median, printTable, runJson } from '../support.mjs';
import { transpileWasmBackend } from './transpile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const argv = process.argv.slice(2);
const arg = (k, d) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const sizes = arg('sizes', '64,96');
const reps = Number(arg('reps', '5'));
const steps = arg('steps', '3');
const batch = arg('batch', '16');

if (arg('child') !== undefined) await child(arg('child'));
else await parent();

/** `wasm`: the single-threaded build; `wasm-tN`: the threaded build with N threads. */
async function startWasm(tf, config) {
  const dir = transpileWasmBackend();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { wasmBinaryDirectory } = await import(path.join(dir, 'wasm-files.js'));
  const { registerWasmGradientKernels } = await import(path.join(dir, 'kernels/register.js'));
  wasm.setWasmPaths(await wasmBinaryDirectory());
  registerWasmGradientKernels();
  const threads = config === 'wasm' ? 0 : Number(config.replace('wasm-t', ''));
  if (threads === 0) {
    await tf.setBackend('wasm');
  } else {
    const { initThreadedInNode } = await import(path.join(dir, 'node-threads.js'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    await initThreadedInNode(threads, () => tf.setBackend('wasm'));
    // As the backend's init does: XNNPACK's pool threads must not keep the process alive.
    for (const worker of tf.backend().wasm.PThread.runningWorkers) worker.unref();
  }
  if (tf.getBackend() !== 'wasm') throw new Error(`${config} did not initialise`);
  return { threads: wasm.getThreadsCount(), shared: tf.backend().wasm.HEAPU8.buffer instanceof SharedArrayBuffer };
}

async function child(config) {
  const tf = await import('@tensorflow/tfjs');
  const { mobilenetV1 } = await import(path.join(transpileWasmBackend(), 'test-support/mobilenet.js'));
  const info = await startWasm(tf, config);
  const n = Number(batch);
  const results = [];
  for (const size of sizes.split(',').map(Number)) {
    const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomNormal([n, size, size, 3]);
    const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32'), 10);
    const phases = {
      train: () => {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
        loss.dataSync();
        loss.dispose();
      },
      infer: () => {
        const out = tf.tidy(() => model.predict(x));
        out.dataSync();
        out.dispose();
      },
    };
    const out = { size };
    for (const [phase, fn] of Object.entries(phases)) {
      for (let i = 0; i < 2; i++) fn();
      const t0 = performance.now();
      const c0 = cpuMs();
      for (let s = 0; s < Number(steps); s++) fn();
      out[phase] = { samplesPerSecond: (Number(steps) * n * 1000) / (performance.now() - t0), cpuMsPerStep: (cpuMs() - c0) / Number(steps) };
    }
    results.push(out);
  }
  console.log(JSON.stringify({ config, ...info, results }));
}

function runConfig(config) {
  if (config.startsWith('torch-')) {
    const threads = config.slice('torch-'.length);
    return runJson(PYTHON, [path.join(here, 'torch_mobilenet.py'), '--sizes', sizes, '--reps', '1', '--steps', steps, '--batch', batch, '--threads', threads]);
  }
  return runJson(process.execPath, [fileURLToPath(import.meta.url), '--child', config, '--sizes', sizes, '--steps', steps, '--batch', batch]);
}

async function parent() {
  const configs = arg('configs', 'wasm,wasm-t1,wasm-t2,torch-1,torch-2').split(',');
  const before = os.loadavg();
  console.log(`load average before: ${before.map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} CPUs; batch ${batch}, ${steps} steps × ${reps} interleaved repetitions`);
  const samples = new Map(); // `${config} ${size} ${phase}` → { rates, cpu }
  for (let r = 0; r < reps; r++) {
    for (const config of configs) {
      const { value, error } = runConfig(config);
      if (error !== undefined) {
        console.log(`  ${config} failed: ${error}`);
        continue;
      }
      if (r === 0 && value.threads !== undefined) console.log(`  ${config}: ${value.threads} thread(s)${value.shared ? ', shared memory' : ''}`);
      for (const result of value.results) {
        for (const phase of ['train', 'infer']) {
          const key = `${config} ${result.size} ${phase}`;
          const s = samples.get(key) ?? { rates: [], cpu: [] };
          s.rates.push(result[phase].samplesPerSecond);
          s.cpu.push(result[phase].cpuMsPerStep);
          samples.set(key, s);
        }
      }
    }
  }
  const after = os.loadavg();
  const rows = [['size', 'phase', ...configs.map((c) => `${c} samples/s (cpu ms)`)]];
  for (const size of sizes.split(',')) {
    for (const phase of ['train', 'infer']) {
      rows.push([
        `${size}²`,
        phase,
        ...configs.map((c) => {
          const s = samples.get(`${c} ${size} ${phase}`);
          return s ? `${median(s.rates).toFixed(0)} (${median(s.cpu).toFixed(0)})` : '-';
        }),
      ]);
    }
  }
  printTable(rows);
  console.log(`load average after: ${after.map((l) => l.toFixed(2)).join(' ')}`);
}
