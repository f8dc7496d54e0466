// A/B in one process: MobileNet inference and feature extraction on wasm with Graft's FusedBatchNorm
// kernel and with tfjs-backend-wasm's own, interleaved repetitions, median wall and process CPU ms per batch.
//   node bench/backends/ab-batchnorm.mjs [--size 64] [--reps 7]
import os from 'node:os';
import path from 'node:path';
import { cpuMs, median } from '../support.mjs';
import { abSetup } from './ab-setup.mjs';

const { size, reps, dir, tf, mobilenetV1, startWasm } = await abSetup();
const { originalKernel } = await import(path.join(dir, 'kernels/originals.js'));
await startWasm();
const ours = tf.getKernel('FusedBatchNorm', 'wasm');
const theirs = originalKernel('FusedBatchNorm');
const use = (config) => {
  tf.unregisterKernel('FusedBatchNorm', 'wasm');
  tf.registerKernel({ ...config, setupFunc: undefined });
};
const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
const trunk = tf.model({ inputs: model.inputs, outputs: model.layers[model.layers.length - 2].output });
const x = tf.randomNormal([16, size, size, 3]);
const run = (m) => {
  const out = tf.tidy(() => m.predict(x));
  out.dataSync();
  out.dispose();
};
const ms = { ours: [], theirs: [] };
const cpu = { ours: [], theirs: [] };
console.log(`load ${os.loadavg()[0].toFixed(1)}`);
for (let r = -1; r < reps; r++) {
  for (const [name, config] of [['ours', ours], ['theirs', theirs]]) {
    use(config);
    const t0 = performance.now();
    const c0 = cpuMs();
    run(trunk);
    run(model);
    if (r >= 0) {
      ms[name].push((performance.now() - t0) / 2);
      cpu[name].push((cpuMs() - c0) / 2);
    }
  }
}
const a = median(ms.ours);
const b = median(ms.theirs);
const [ca, cb] = [median(cpu.ours), median(cpu.theirs)];
console.log(
  `size ${size}: per batch of 16, median of ${reps}: Graft FusedBatchNorm ${a.toFixed(1)} ms (cpu ${ca.toFixed(1)}), ` +
    `tfjs-wasm's ${b.toFixed(1)} ms (cpu ${cb.toFixed(1)}) → ${(b / a).toFixed(2)}× wall, ${(cb / ca).toFixed(2)}× cpu; load ${os.loadavg()[0].toFixed(1)}`,
);
