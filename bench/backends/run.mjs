#!/usr/bin/env node
// Backend benchmark: a MobileNet v1 (alpha 0.25) training step (forward + backward + Adam) and
// inference, batch 16, at 64×64 and 96×96, on every tfjs backend that loads here, and the same
// model in PyTorch on one thread. Each backend runs in its own process (clean peak RSS).
//
//   node bench/backends/run.mjs [--sizes 64,96] [--batch 16] [--reps 5] [--steps 3]
//                               [--backends cpu,wasm] [--cpu-steps 1] [--profile] [--json out.json]
//
// Rates are medians over repetitions of wall-clock samples/s. Because the machine may be shared,
// each result also gives the process CPU time per step, and "cpu-time samples/s" derived from it.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs, median, printTable, runJson, runPytorch, writeResults } from '../support.mjs';
import { transpileCoreFile, transpileWasmBackend } from './transpile.mjs';

/**
 * train: tfjs optimizer.minimize, BatchNorm training mode; graft: Graft's fine-tuning step through its trunk
 * (BatchNorm folded into the convolutions on the tape); graft-bn-train: the same with BatchNorm on batch
 * statistics (training from scratch, `bn: train`), against PyTorch's train; graft-layers: the same step through the tfjs layers
 * (what Graft ran before the fold under the tape); graft-unfused: the trunk with the optimizer on the per-op
 * kernel path (GPU backends'); infer: prediction as Graft runs it (layersTrunk, then the head); features: the
 * frozen trunk's pooled features as Graft extracts them; infer-raw, features-raw: the same on the plain tfjs
 * model (model.predict), what Graft ran before BatchNorm was folded.
 */
const PHASES = ['train', 'graft', 'graft-bn-train', 'graft-layers', 'graft-unfused', 'infer', 'infer-raw', 'features', 'features-raw'];
/** The PyTorch phase each phase compares with. */
const TORCH_PHASE = { 'graft-bn-train': 'train', 'graft-layers': 'graft', 'graft-unfused': 'graft', 'infer-raw': 'infer', 'features-raw': 'features' };
const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));

if (args.worker) {
  await worker(args);
} else {
  await main(args);
}

function parseArgs(argv) {
  const a = { sizes: '64,96', batch: '16', reps: '5', steps: '3', 'cpu-steps': '1', 'cpu-reps': '1' };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'profile') a.profile = true;
    else a[key] = argv[++i];
  }
  return a;
}

// ---------------------------------------------------------------- worker: one tfjs backend
async function worker(a) {
  const name = a.worker;
  const sizes = a.sizes.split(',').map(Number);
  const batch = Number(a.batch);
  const slow = name === 'cpu';
  const reps = slow ? Number(a['cpu-reps']) : Number(a.reps);
  const steps = slow ? Number(a['cpu-steps']) : Number(a.steps);
  const warmup = slow ? 0 : 2;

  const dir = transpileWasmBackend();
  const { Optimizer } = await import(transpileCoreFile('train/optimizer.ts'));
  transpileCoreFile('errors.ts');
  transpileCoreFile('model/masked-grad.ts');
  transpileCoreFile('model/fused-conv-gradient.ts');
  transpileCoreFile('model/fold-on-tape.ts');
  transpileCoreFile('model/batch-norm-training.ts');
  transpileCoreFile('model/folded-chain.ts');
  const { layersTrunk } = await import(transpileCoreFile('model/layers-trunk.ts'));
  const tf = await import('@tensorflow/tfjs');
  const { mobilenetV1 } = await import(path.join(dir, 'test-support/mobilenet.js'));
  if (name === 'wasm') {
    // What wasmBackend.init() does, without @graft/core (which plain Node would need built).
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { wasmBinaryDirectory } = await import(path.join(dir, 'wasm-files.js'));
    const { registerWasmGradientKernels } = await import(path.join(dir, 'kernels/register.js'));
    wasm.setWasmPaths(await wasmBinaryDirectory());
    registerWasmGradientKernels();
    await tf.setBackend('wasm');
  } else if (name === 'tensorflow') {
    await import('@tensorflow/tfjs-node');
    await tf.setBackend('tensorflow');
  } else {
    await tf.setBackend(name);
  }
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not initialise`);
  const backendObject = tf.backend();
  if ('firstUse' in backendObject) backendObject.firstUse = false;

  const profile = new Map();
  if (a.profile) {
    const engine = tf.engine();
    const run = engine.runKernel.bind(engine);
    engine.runKernel = (kernel, inputs, attrs) => {
      const t0 = performance.now();
      const out = run(kernel, inputs, attrs);
      const e = profile.get(kernel) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      profile.set(kernel, e);
      return out;
    };
  }

  // Phases are measured interleaved: every repetition runs each phase once, so a change in the
  // machine's load during the run hits all of them alike.
  const measureAll = async (phases) => {
    for (const fn of Object.values(phases)) for (let i = 0; i < warmup; i++) await fn();
    const rates = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
    const cpu = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
    const profiles = Object.fromEntries(Object.keys(phases).map((k) => [k, new Map()]));
    for (let r = 0; r < reps; r++) {
      for (const [phase, fn] of Object.entries(phases)) {
        profile.clear();
        const t0 = performance.now();
        const c0 = cpuMs();
        for (let s = 0; s < steps; s++) await fn();
        rates[phase].push((steps * batch * 1000) / (performance.now() - t0));
        cpu[phase].push((cpuMs() - c0) / steps);
        for (const [k, e] of profile) {
          const acc = profiles[phase].get(k) ?? { ms: 0, calls: 0 };
          acc.ms += e.ms;
          acc.calls += e.calls;
          profiles[phase].set(k, acc);
        }
      }
    }
    const out = {};
    for (const phase of Object.keys(phases)) {
      out[phase] = { samplesPerSecond: median(rates[phase]), all: rates[phase], cpuMsPerStep: median(cpu[phase]) };
      if (a.profile) out[phase].profile = summarize(profiles[phase], reps * steps);
    }
    return out;
  };

  const results = [];
  for (const size of sizes) {
    const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomNormal([batch, size, size, 3]);
    const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
    const trainStep = () => {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
      loss.dataSync();
      loss.dispose();
    };
    const inferRaw = () => {
      const out = tf.tidy(() => model.predict(x));
      out.dataSync();
      out.dispose();
    };
    // Graft's trunk over a second copy of the network (everything before the pooling, one group holding every
    // weight): the training phases change the first copy's weights every repetition, which would refold its
    // BatchNorms once per repetition, where prediction and evaluation refold once per epoch at most.
    const twin = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
    const body = tf.model({ inputs: twin.inputs, outputs: twin.layers[twin.layers.length - 3].output });
    const head = twin.layers[twin.layers.length - 1];
    const weighted = body.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
    const graftTrunk = layersTrunk({ model: body, groups: [{ name: 'all', layers: weighted }] });
    // What GraftModel.features and the head do at prediction and evaluation (the pooled features, then the head).
    const infer = () => {
      const out = tf.tidy(() => head.apply(graftTrunk.apply({ image: x }, false)));
      out.dataSync();
      out.dispose();
    };
    // The step as Graft's trainer runs it for a full fine-tune (the peer reference's settings):
    // BatchNorm in inference mode, tf.variableGrads over the trainable variables, the per-task
    // losses combined by the (static, equal) weighting, one read of the losses and the gradients' checksum, and Graft's own
    // Optimizer with a rate per group (backbone 1e-4, head 1e-3).
    const adam = { name: 'adam', lr: 1e-3, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    const graftOptimizer = new Optimizer(adam); // the loop's default: the fused update on cpu and wasm
    const unfusedOptimizer = new Optimizer(adam, 'kernels');
    const variables = model.trainableWeights.map((w) => w.read());
    const headVariables = new Set(model.layers[model.layers.length - 1].trainableWeights.map((w) => w.read()));
    const keys = new Map(model.trainableWeights.map((w, i) => [w.read(), `${i}/${w.name}`]));
    // Graft's trunk over this copy: what its trainer differentiates (BatchNorms folded on the tape).
    const trainBody = tf.model({ inputs: model.inputs, outputs: model.layers[model.layers.length - 3].output });
    const trainTrunk = layersTrunk({ model: trainBody, groups: [{ name: 'all', layers: trainBody.layers.filter((l) => l.weights.length > 0).map((l) => l.name) }] });
    const trainHead = model.layers[model.layers.length - 1];
    const viaTrunk = () => trainHead.apply(trainTrunk.apply({ image: x }, false));
    const viaLayers = () => model.apply(x, { training: false });
    const viaTrunkTraining = () => trainHead.apply(trainTrunk.apply({ image: x }, true));
    const graftStepWith = (opt, forward) => async () => {
      let kept = [];
      const { value, grads } = tf.variableGrads(() => {
        const losses = [tf.losses.softmaxCrossEntropy(y, forward())];
        kept = losses.map((l) => tf.keep(l));
        return tf.addN(losses);
      }, variables);
      value.dispose();
      // As the trainer: the losses and a checksum of the gradients (finite exactly when they all are) in one read.
      const checksum = tf.tidy(() => tf.addN([tf.scalar(0), ...variables.map((v) => tf.sum(grads[v.name]))]));
      const stacked = tf.stack([...kept, checksum]);
      await stacked.data();
      tf.dispose([stacked, checksum, ...kept]);
      opt.apply(variables.map((v) => ({ key: keys.get(v), variable: v, grad: grads[v.name], lr: headVariables.has(v) ? 1e-3 : 1e-4 })));
      tf.dispose(Object.values(grads));
    };
    const graftStep = graftStepWith(graftOptimizer, viaTrunk);
    // Feature extraction for a linear probe or the feature cache: the frozen trunk (BatchNorm in
    // inference mode) up to the pooled 256-d features.
    const trunk = tf.model({ inputs: model.inputs, outputs: model.layers[model.layers.length - 2].output });
    const featuresRaw = () => {
      const out = tf.tidy(() => trunk.predict(x));
      out.dataSync();
      out.dispose();
    };
    // As the loop's feature cache and a linear probe run the frozen trunk: GraftModel.features(inputs, false).
    const features = () => {
      const out = tf.tidy(() => graftTrunk.apply({ image: x }, false));
      out.dataSync();
      out.dispose();
    };
    const measured = await measureAll({
      train: trainStep,
      graft: graftStep,
      'graft-bn-train': graftStepWith(graftOptimizer, viaTrunkTraining),
      'graft-layers': graftStepWith(graftOptimizer, viaLayers),
      'graft-unfused': graftStepWith(unfusedOptimizer, viaTrunk),
      infer,
      'infer-raw': inferRaw,
      features,
      'features-raw': featuresRaw,
    });
    results.push({ size, ...measured });
    tf.dispose([x, y]);
    optimizer.dispose();
    graftOptimizer.dispose();
    unfusedOptimizer.dispose();
    model.dispose();
    graftTrunk.dispose();
    head.dispose(); // its weights: the trunk disposes only the layers before it
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const capabilities = name === 'wasm' ? { threads: (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() } : {};
  process.stdout.write(`${JSON.stringify({ backend: name, results, peakRssMb, ...capabilities })}\n`);
}

function summarize(profile, steps) {
  const rows = [...profile].map(([kernel, e]) => ({ kernel, msPerStep: e.ms / steps, callsPerStep: e.calls / steps }));
  rows.sort((p, q) => q.msPerStep - p.msPerStep);
  const total = rows.reduce((s, r) => s + r.msPerStep, 0);
  const calls = rows.reduce((s, r) => s + r.callsPerStep, 0);
  return { totalMsPerStep: total, callsPerStep: calls, top: rows.slice(0, 15) };
}

// ---------------------------------------------------------------- parent: run all, print table

async function main(a) {
  const load0 = os.loadavg()[0];
  const candidates = a.backends ? a.backends.split(',') : ['cpu', 'wasm', 'tensorflow'];
  const runs = [];
  for (const backend of candidates) {
    if (backend === 'tensorflow' && !canImport('@tensorflow/tfjs-node')) {
      console.log(`skip tensorflow (tfjs-node): @tensorflow/tfjs-node is not installed`);
      continue;
    }
    console.log(`running ${backend} …`);
    const workerArgs = ['--worker', backend, '--sizes', a.sizes, '--batch', a.batch, '--reps', a.reps, '--steps', a.steps,
      '--cpu-steps', a['cpu-steps'], '--cpu-reps', a['cpu-reps'], ...(a.profile ? ['--profile'] : [])];
    const { value, error } = runJson(process.execPath, [fileURLToPath(import.meta.url), ...workerArgs]);
    if (error !== undefined) console.log(`  ${backend} failed: ${error}`);
    else runs.push(value);
  }
  if (!a['skip-torch']) {
    const torch = runPytorch(path.join(here, 'torch_mobilenet.py'), ['--sizes', a.sizes, '--batch', a.batch, '--reps', a.reps, '--steps', a.steps]);
    if (torch) runs.push(torch);
  }
  const load1 = os.loadavg()[0];
  report(runs, a, load0, load1);
  if (a.json) writeResults(a.json, runs, [load0, load1]);
}

function canImport(specifier) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`], { encoding: 'utf8', cwd: here });
  return r.status === 0;
}

function report(runs, a, load0, load1) {
  const byName = Object.fromEntries(runs.map((r) => [r.backend, r]));
  const sizes = a.sizes.split(',').map(Number);
  const fmt = (x, d = 1) => (x === undefined ? '—' : x.toFixed(d));
  const ratio = (x, y) => (x === undefined || y === undefined ? '—' : `${(x / y).toFixed(x / y < 0.1 ? 4 : 2)}×`);
  console.log(`\nMobileNet v1 alpha 0.25, batch ${a.batch}; median of ${a.reps} reps × ${a.steps} steps (cpu backend: ${a['cpu-reps']} × ${a['cpu-steps']}).`);
  console.log(`Machine: ${os.cpus().length} CPUs, load average ${load0.toFixed(1)} → ${load1.toFixed(1)} during the run.\n`);
  const header = ['backend', 'size', 'phase', 'samples/s', 'vs pytorch', 'vs tfjs-cpu', 'cpu ms/step', 'cpu-time samples/s', 'vs pytorch (cpu time)', 'peak RSS MB'];
  const rows = [header];
  for (const run of runs) {
    for (const size of sizes) {
      const res = run.results.find((r) => r.size === size);
      for (const phase of PHASES) {
        const m = res?.[phase];
        const torch = byName.pytorch?.results.find((r) => r.size === size)?.[TORCH_PHASE[phase] ?? phase];
        const cpu = byName.cpu?.results.find((r) => r.size === size)?.[phase];
        const cpuRate = m ? (Number(a.batch) * 1000) / m.cpuMsPerStep : undefined;
        const torchCpuRate = torch ? (Number(a.batch) * 1000) / torch.cpuMsPerStep : undefined;
        rows.push([run.backend, String(size), phase, fmt(m?.samplesPerSecond, 2), ratio(m?.samplesPerSecond, torch?.samplesPerSecond),
          ratio(m?.samplesPerSecond, cpu?.samplesPerSecond), fmt(m?.cpuMsPerStep), fmt(cpuRate), ratio(cpuRate, torchCpuRate), fmt(run.peakRssMb, 0)]);
      }
    }
  }
  printTable(rows);
  for (const run of runs) {
    for (const res of run.results) {
      for (const phase of PHASES) {
        const p = res[phase]?.profile;
        if (!p) continue;
        console.log(`\n${run.backend} ${phase} ${res.size}: ${p.callsPerStep.toFixed(0)} kernel calls, ${p.totalMsPerStep.toFixed(1)} ms inside kernels per step (wall), top kernels:`);
        for (const k of p.top) {
          const share = ((100 * k.msPerStep) / p.totalMsPerStep).toFixed(1);
          console.log(`  ${k.kernel.padEnd(38)} ${k.msPerStep.toFixed(2).padStart(8)} ms ${share.padStart(5)}%  ${k.callsPerStep.toFixed(0).padStart(5)} calls`);
        }
      }
    }
  }
}
