#!/usr/bin/env node
// BERT training-step benchmark: Graft's tfjs BERT (the `text/bert` / `text/mlm` encoder) on every tfjs
// backend that loads here, against the same architecture in PyTorch on one thread, in tokens/s.
//
//   npm run build && node bench/bert/run.mjs [--shapes mini,small] [--phases finetune,mlm]
//        [--backends cpu,wasm,webgpu] [--reps 5] [--steps 3] [--cpu-steps 1] [--json out.json]
//
// Shapes (batch 16 × 64 tokens = 1,024 tokens a step, bert-base-uncased's 30,522-word vocabulary):
//   mini:  2 layers, hidden 64, 4 heads, feed-forward 256 (the model examples/spam-ulmfit.yaml pretrains)
//   small: 4 layers, hidden 256, 4 heads, feed-forward 1024 (BERT-small, Turc et al. 2019)
// Phases: `finetune` = sequence classification (pooler + 2-way head, cross-entropy), `mlm` = masked-LM
// pretraining (15% of tokens through the tied vocabulary decoder). Both: forward with dropout, backward,
// Adam over every weight. Each backend runs in its own process; rates are medians over repetitions.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable, runJson, runPytorch, writeResults } from '../support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHAPES = {
  mini: { layers: 2, hidden: 64, heads: 4, intermediate: 256 },
  small: { layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
};
const BATCH = 16;
const SEQ = 64;
const VOCAB = 30522;
const args = parseArgs(process.argv.slice(2));

if (args.worker) await worker(args);
else await main(args);

function parseArgs(argv) {
  const a = { shapes: 'mini,small', phases: 'finetune,mlm', reps: '5', steps: '3', 'cpu-steps': '1' };
  for (let i = 0; i < argv.length; i++) a[argv[i].replace(/^--/, '')] = argv[++i];
  return a;
}

/** Token ids, a full attention mask, labels and masked-LM targets, identical for every backend (seeded). */
function batchData(seed) {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const ids = Int32Array.from({ length: BATCH * SEQ }, (_, i) => (i % SEQ === 0 ? 101 : i % SEQ === SEQ - 1 ? 102 : 1000 + Math.floor(next() * (VOCAB - 1000))));
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(next() * 2));
  const mlmLabels = Int32Array.from(ids, (id, i) => (i % SEQ !== 0 && i % SEQ !== SEQ - 1 && next() < 0.15 ? id : -1));
  return { ids, labels, mlmLabels };
}

// ---------------------------------------------------------------- worker: one tfjs backend
async function worker(a) {
  const name = a.worker;
  const tf = await import('@tensorflow/tfjs');
  const text = await import('@graft/text/internal');
  const { Rng } = await import('@graft/core');
  if (name === 'wasm') await (await import('@graft/backend-wasm')).wasmBackend.init();
  else if (name === 'webgpu') await (await import('@graft/backend-webgpu')).webgpuBackend.init();
  else await tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not initialise`);

  const slow = name === 'cpu';
  const reps = slow ? 1 : Number(a.reps);
  const steps = slow ? Number(a['cpu-steps']) : Number(a.steps);
  const warmup = slow ? 0 : 2;
  const data = batchData(7);
  const results = [];
  for (const shapeName of a.shapes.split(',')) {
    const s = SHAPES[shapeName];
    const config = { vocabSize: VOCAB, hiddenSize: s.hidden, numLayers: s.layers, numHeads: s.heads, intermediateSize: s.intermediate,
      maxPositions: SEQ, typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropout: 0.1, attentionDropout: 0.1, padTokenId: 0 };
    const encoder = new text.BertEncoder(config, text.initBertWeights(config, new Rng(1)));
    const head = new text.MlmHead(encoder, new Rng(2));
    const classifier = tf.variable(tf.randomNormal([s.hidden, 2], 0, 0.02, 'float32', 3));
    const rng = new Rng(4);
    const ids = tf.tensor2d(data.ids, [BATCH, SEQ], 'int32');
    const mask = tf.onesLike(ids);
    const labels = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 2);
    for (const phase of a.phases.split(',')) {
      const optimizer = tf.train.adam(1e-3);
      const vars = phase === 'mlm' ? [...encoder.variables(), ...head.variables()] : [...encoder.variables(), classifier];
      const loss = phase === 'mlm'
        ? () => head.loss(ids, mask, data.mlmLabels, true, rng)
        : () => tf.losses.softmaxCrossEntropy(labels, tf.matMul(encoder.forward({ inputIds: ids, attentionMask: mask }, true, rng).poolerOutput, classifier));
      const step = async () => {
        const value = optimizer.minimize(loss, true, vars);
        await value.data();
        value.dispose();
      };
      for (let i = 0; i < warmup; i++) await step();
      const rates = [];
      const cpu = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let i = 0; i < steps; i++) await step();
        const c = process.cpuUsage(c0);
        rates.push((steps * BATCH * SEQ * 1000) / (performance.now() - t0));
        cpu.push((c.user + c.system) / 1000 / steps);
      }
      results.push({ shape: shapeName, phase, tokensPerSecond: median(rates), all: rates, cpuMsPerStep: median(cpu) });
      optimizer.dispose();
    }
    tf.dispose([ids, mask, labels, classifier]);
    head.dispose();
    encoder.dispose();
  }
  process.stdout.write(`${JSON.stringify({ backend: name, results, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

// ---------------------------------------------------------------- parent: run all, print table
async function main(a) {
  const load0 = os.loadavg()[0];
  const runs = [];
  for (const backend of (a.backends ?? 'cpu,wasm,webgpu').split(',')) {
    console.log(`running ${backend} …`);
    const workerArgs = ['--worker', backend, '--shapes', a.shapes, '--phases', a.phases, '--reps', a.reps, '--steps', a.steps, '--cpu-steps', a['cpu-steps']];
    const { value, error } = runJson(process.execPath, [fileURLToPath(import.meta.url), ...workerArgs], { env: { ...process.env, EGL_PLATFORM: 'surfaceless' } });
    if (error !== undefined) console.log(`  ${backend} skipped: ${error}`);
    else runs.push(value);
  }
  const torch = runPytorch(path.join(here, 'torch_bert.py'), ['--shapes', a.shapes, '--phases', a.phases, '--reps', a.reps, '--steps', a.steps]);
  if (torch) runs.push(torch);
  const load1 = os.loadavg()[0];
  report(runs, a, load0, load1);
  if (a.json) writeResults(a.json, runs, [load0, load1]);
}

function report(runs, a, load0, load1) {
  const torch = runs.find((r) => r.backend === 'pytorch');
  const fmt = (x, d = 0) => (x === undefined ? '—' : x.toFixed(d));
  const ratio = (x, y) => (x === undefined || y === undefined ? '—' : `${(x / y).toFixed(x / y < 0.1 ? 3 : 2)}×`);
  console.log(`\nBERT training step, batch ${BATCH} × ${SEQ} tokens, vocabulary ${VOCAB}; median of ${a.reps} reps × ${a.steps} steps (cpu backend: 1 × ${a['cpu-steps']}).`);
  console.log(`Machine: ${os.cpus().length} CPUs, load average ${load0.toFixed(1)} → ${load1.toFixed(1)} during the run.\n`);
  const header = ['backend', 'shape', 'phase', 'tokens/s', 'vs pytorch', 'cpu ms/step', 'cpu-time tokens/s', 'vs pytorch (cpu time)', 'peak RSS MB'];
  const rows = [header];
  for (const run of runs) {
    for (const m of run.results) {
      const t = torch?.results.find((r) => r.shape === m.shape && r.phase === m.phase);
      const cpuRate = (BATCH * SEQ * 1000) / m.cpuMsPerStep;
      const torchCpuRate = t ? (BATCH * SEQ * 1000) / t.cpuMsPerStep : undefined;
      rows.push([run.backend, m.shape, m.phase, fmt(m.tokensPerSecond), ratio(m.tokensPerSecond, t?.tokensPerSecond), fmt(m.cpuMsPerStep),
        fmt(cpuRate), ratio(cpuRate, torchCpuRate), fmt(run.peakRssMb)]);
    }
  }
  printTable(rows);
  if (torch?.gemmGflops !== undefined) {
    console.log(`\nPyTorch ${torch.torch}: a 1024×256·256×1024 product runs at ${torch.gemmGflops.toFixed(1)} GFLOP/s on one thread (its BLAS sets the pace of every dense layer).`);
  }
}
