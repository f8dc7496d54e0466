#!/usr/bin/env node
// Prototype, measurement only (not wired into training): data-parallel training on two worker threads, each
// with its own single-threaded wasm backend and a copy of the model, against one worker running the whole
// batch. Each step, every worker computes the gradients of its half of the batch, writes them into a
// SharedArrayBuffer, waits for the other (one barrier per step, not one per kernel call as XNNPACK's threads
// do), sums the two halves in the same order and applies the same Adam update, so the copies stay equal
// bit for bit. BatchNorm runs in inference mode (as Graft's fine-tuning does), which makes the split exact:
// the two halves' loss sum equals the whole batch's. MobileNet v1 (alpha 0.25), batch 16.
//
//   node bench/backends/ab-threads-dp.mjs [--sizes 64,96] [--reps 5] [--steps 3] [--batch 16]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cpuMs, median, printTable } from '../support.mjs';
import { transpileWasmBackend } from './transpile.mjs';

if (isMainThread) await main();
else await worker(workerData);

/** One model copy: `index` of `count` workers, computing rows [index·batch/count, (index+1)·batch/count). */
async function worker({ index, count, size, batch, shared }) {
  const dir = transpileWasmBackend();
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { mobilenetV1 } = await import(path.join(dir, 'test-support/mobilenet.js'));
  const { wasmBinaryDirectory } = await import(path.join(dir, 'wasm-files.js'));
  const { registerWasmGradientKernels } = await import(path.join(dir, 'kernels/register.js'));
  wasm.setWasmPaths(await wasmBinaryDirectory());
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
  // The same weights in every copy: seeded, not the layers' random initialisers.
  model.setWeights(model.weights.map((w, i) => (/gamma|variance/.test(w.name) ? tf.onesLike(w.read()) : tf.randomNormal(w.shape, 0, 0.05, 'float32', i + 1))));
  const rows = batch / count;
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 7).slice([index * rows], [rows]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10).slice([index * rows], [rows]);
  const variables = model.trainableWeights.map((w) => w.read());
  const lengths = variables.map((v) => v.size);
  const total = lengths.reduce((a, b) => a + b, 0);
  const grads = new Float32Array(shared.grads); // count × total
  const barrier = new Int32Array(shared.barrier);
  const optimizer = tf.train.adam(1e-3);
  let generation = 0;
  const step = () => {
    // Sum of per-sample losses over this half, divided by the whole batch: the halves add up to the batch mean.
    const { value, grads: g } = tf.variableGrads(() => tf.div(tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }), undefined, undefined, tf.Reduction.SUM), batch), variables);
    let offset = index * total;
    for (const v of variables) {
      grads.set(g[v.name].dataSync(), offset);
      offset += v.size;
    }
    tf.dispose([value, ...Object.values(g)]);
    if (count > 1) {
      generation++;
      if (Atomics.add(barrier, 0, 1) === generation * count - 1) Atomics.notify(barrier, 0);
      for (let seen = Atomics.load(barrier, 0); seen < generation * count; seen = Atomics.load(barrier, 0)) Atomics.wait(barrier, 0, seen);
    }
    const summed = {};
    offset = 0;
    variables.forEach((v, k) => {
      const sum = new Float32Array(lengths[k]);
      for (let w = 0; w < count; w++) {
        const part = grads.subarray(w * total + offset, w * total + offset + lengths[k]);
        for (let i = 0; i < sum.length; i++) sum[i] += part[i];
      }
      summed[v.name] = tf.tensor(sum, v.shape);
      offset += lengths[k];
    });
    optimizer.applyGradients(summed);
    tf.dispose(Object.values(summed));
    // A second barrier: nobody overwrites its gradients before the other has read them.
    if (count > 1) {
      generation++;
      if (Atomics.add(barrier, 0, 1) === generation * count - 1) Atomics.notify(barrier, 0);
      for (let seen = Atomics.load(barrier, 0); seen < generation * count; seen = Atomics.load(barrier, 0)) Atomics.wait(barrier, 0, seen);
    }
  };
  parentPort.on('message', (msg) => {
    if (msg.cmd === 'steps') {
      for (let s = 0; s < msg.n; s++) step();
      const checksum = variables[0].dataSync().reduce((a, b) => a + b, 0);
      parentPort.postMessage({ done: true, checksum });
    } else if (msg.cmd === 'exit') {
      process.exit(0);
    }
  });
  parentPort.postMessage({ ready: true, total });
}

/** Starts `count` workers sharing one gradient buffer; resolves to a function running `n` steps on all of them. */
async function startGroup(count, size, batch) {
  const here = fileURLToPath(import.meta.url);
  // MobileNet v1 0.25 has ~0.22 M trainable values; 2 M floats per worker is ample.
  const shared = { grads: new SharedArrayBuffer(count * 2 ** 21 * 4), barrier: new SharedArrayBuffer(4) };
  const workers = Array.from({ length: count }, (_, index) => new Worker(here, { workerData: { index, count, size, batch, shared } }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  })));
  return {
    steps: (n) => Promise.all(workers.map((w) => new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage({ cmd: 'steps', n });
    }))),
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const arg = (k, d) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
  const sizes = arg('sizes', '64,96').split(',').map(Number);
  const reps = Number(arg('reps', '5'));
  const steps = Number(arg('steps', '3'));
  const batch = Number(arg('batch', '16'));
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} CPUs; batch ${batch}, ${steps} steps × ${reps} interleaved repetitions; BatchNorm in inference mode`);
  const rows = [['size', '1 worker × 16 samples/s (cpu ms)', '2 workers × 8 samples/s (cpu ms)', 'weights equal']];
  for (const size of sizes) {
    const groups = { one: await startGroup(1, size, batch), two: await startGroup(2, size, batch) };
    const results = { one: { rates: [], cpu: [] }, two: { rates: [], cpu: [] } };
    for (const g of Object.values(groups)) await g.steps(2); // warm-up
    let equal = true;
    for (let r = 0; r < reps; r++) {
      for (const [name, g] of Object.entries(groups)) {
        const t0 = performance.now();
        const c0 = cpuMs();
        const out = await g.steps(steps);
        results[name].rates.push((steps * batch * 1000) / (performance.now() - t0));
        results[name].cpu.push((cpuMs() - c0) / steps);
        if (out.length > 1 && out[0].checksum !== out[1].checksum) equal = false;
      }
    }
    for (const g of Object.values(groups)) await g.close();
    const cell = (s) => `${median(s.rates).toFixed(0)} (${median(s.cpu).toFixed(0)})`;
    rows.push([`${size}²`, cell(results.one), cell(results.two), String(equal)]);
  }
  printTable(rows);
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
