// A/B in one process: Graft's optimizer update as one GraftOptimizerUpdate kernel per variable (the SIMD
// kernel on the wasm heap, packages/backends/wasm/simd/optimizer.ts) against the fused JavaScript loop it
// replaces (dataSync of weights, gradient and slots, a loop, new tensors written back), interleaved
// repetitions, process CPU ms.
//   node bench/backends/ab-optimizer.mjs [--size 64] [--reps 7] [--verbose]
// The step is run.mjs's `graft` phase: a MobileNet v1 0.25 fine-tuning step (batch 16, BatchNorm in
// inference mode, tf.variableGrads over every trainable variable, Adam with a rate per group).
import os from 'node:os';
import { cpuMs, median } from '../support.mjs';
import { abSetup } from './ab-setup.mjs';
import { transpileCoreFile } from './transpile.mjs';

const { size, reps, tf, mobilenetV1, startWasm } = await abSetup();
const { Optimizer } = await import(transpileCoreFile('train/optimizer.ts'));
const { OPTIMIZER_UPDATE } = await import(transpileCoreFile('train/optimizer-update.ts'));
await startWasm();
const kernel = tf.getKernel(OPTIMIZER_UPDATE, 'wasm');
if (kernel === undefined) throw new Error(`${OPTIMIZER_UPDATE} is not registered for wasm`);
/** `kernel`: the registered kernel; `loop`: unregistered, so the Optimizer takes its JavaScript loop. */
const use = (path) => {
  const registered = tf.getKernel(OPTIMIZER_UPDATE, 'wasm') !== undefined;
  if (path === 'kernel' && !registered) tf.registerKernel(kernel);
  if (path === 'loop' && registered) tf.unregisterKernel(OPTIMIZER_UPDATE, 'wasm');
};

const batch = 16;
const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
const x = tf.randomNormal([batch, size, size, 3]);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
const adam = { name: 'adam', lr: 1e-3, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const optimizer = new Optimizer(adam); // the loop's default: the fused update on wasm
const variables = model.trainableWeights.map((w) => w.read());
const headVariables = new Set(model.layers[model.layers.length - 1].trainableWeights.map((w) => w.read()));
const keys = new Map(model.trainableWeights.map((w, i) => [w.read(), `${i}/${w.name}`]));
const parameters = variables.reduce((n, v) => n + v.size, 0);
/** Wall ms of the last step's optimizer update (it runs synchronously on wasm). */
let updateMs = 0;
const step = async () => {
  let kept = [];
  const { value, grads } = tf.variableGrads(() => {
    const losses = [tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }))];
    kept = losses.map((l) => tf.keep(l));
    return tf.addN(losses);
  }, variables);
  value.dispose();
  const stacked = tf.stack(kept);
  await stacked.data();
  tf.dispose([stacked, ...kept]);
  const t0 = performance.now();
  optimizer.apply(variables.map((v) => ({ key: keys.get(v), variable: v, grad: grads[v.name], lr: headVariables.has(v) ? 1e-3 : 1e-4 })));
  updateMs = performance.now() - t0;
  tf.dispose(Object.values(grads));
};

const paths = ['kernel', 'loop'];
const load0 = os.loadavg()[0];
const cpu = { kernel: [], loop: [] };
const update = { kernel: [], loop: [] };
const tensors = tf.memory().numTensors;
// Three warm-up rounds: the first steps run slower while V8 tiers the code up and tfjs caches operators.
for (let r = -3; r < reps; r++) {
  for (const path of paths) {
    use(path);
    const c0 = cpuMs();
    await step();
    if (r >= 0) {
      cpu[path].push(cpuMs() - c0);
      update[path].push(updateMs);
    }
  }
}
use('kernel');
if (process.argv.includes('--verbose')) console.log(JSON.stringify({ cpu, update }, (_, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)));
const leaked = tf.memory().numTensors - tensors;
const [a, b] = [median(cpu.kernel), median(cpu.loop)];
console.log(
  `size ${size}, batch ${batch}, Graft step (${variables.length} variables, ${parameters} parameters), median of ${reps}: ` +
    `kernel cpu ${a.toFixed(1)} ms, JS loop ${b.toFixed(1)} ms → ${(b / a).toFixed(2)}×; of which the update (wall) ` +
    `${median(update.kernel).toFixed(2)} vs ${median(update.loop).toFixed(2)} ms; tensors ${leaked >= 0 ? '+' : ''}${leaked} ` +
    `(the slots, made on the first step); load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
);
