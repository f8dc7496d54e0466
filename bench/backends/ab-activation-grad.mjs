// A/B in one process: a MobileNet fine-tuning step on wasm (BatchNorm in inference mode, gradients of
// all variables) with Graft's fused ReLU/relu6 gradients (one kernel call each) and with tfjs' own, interleaved repetitions;
// median wall ms and process CPU ms per step, and the kernel calls per step of each.
//   node bench/backends/ab-activation-grad.mjs [--size 64] [--reps 7]
import os from 'node:os';
import { cpuMs, median } from '../support.mjs';
import { abSetup } from './ab-setup.mjs';

const { size, reps, tf, mobilenetV1, startWasm } = await abSetup();
const tfjsGradients = Object.fromEntries(['Relu', 'Minimum'].map((k) => [k, tf.getGradient(k)]));
await startWasm();
const graftGradients = Object.fromEntries(['Relu', 'Minimum'].map((k) => [k, tf.getGradient(k)]));
const use = (configs) => Object.values(configs).forEach((c) => tf.registerGradient(c));

const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
const x = tf.randomNormal([16, size, size, 3]);
const y = tf.oneHot(tf.randomUniform([16], 0, 10, 'int32'), 10);
const variables = model.trainableWeights.map((w) => w.read());
let calls = 0;
const engine = tf.engine();
const runKernel = engine.runKernel.bind(engine);
engine.runKernel = (...a) => {
  calls++;
  return runKernel(...a);
};
const step = () => {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false })), variables);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const wall = { graft: [], tfjs: [] };
const cpu = { graft: [], tfjs: [] };
const kernels = {};
const load0 = os.loadavg()[0];
for (let r = -1; r < reps; r++) {
  for (const [name, configs] of [['graft', graftGradients], ['tfjs', tfjsGradients]]) {
    use(configs);
    calls = 0;
    const t0 = performance.now();
    const c0 = cpuMs();
    step();
    if (r >= 0) {
      wall[name].push(performance.now() - t0);
      cpu[name].push(cpuMs() - c0);
    }
    kernels[name] = calls;
  }
}
const [a, b, ca, cb] = [median(wall.graft), median(wall.tfjs), median(cpu.graft), median(cpu.tfjs)];
console.log(
  `size ${size}, batch 16, median of ${reps}: fused activation gradients ${a.toFixed(1)} ms (cpu ${ca.toFixed(1)}), ` +
    `tfjs' ${b.toFixed(1)} ms (cpu ${cb.toFixed(1)}) → ${(b / a).toFixed(2)}× wall, ${(cb / ca).toFixed(2)}× cpu; ` +
    `kernel calls ${kernels.graft} vs ${kernels.tfjs}; load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
);
