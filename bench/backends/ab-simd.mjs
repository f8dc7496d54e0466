// A/B in one process: Graft's WebAssembly SIMD kernels (packages/backends/wasm/simd) against the paths they
// replace (XNNPACK products with JS im2col/transposes, tap columns, chains of elementwise kernels and
// poolings), interleaved repetitions, process CPU ms.
//   node bench/backends/ab-simd.mjs [--size 64] [--reps 7] [--kernels 1] [--verbose]
// First a MobileNet v1 0.25 fine-tuning step (forward + backward, batch 16, gradients of all variables);
// with --kernels 1 also each call of a kernel with a SIMD version that step makes, by shape (median CPU ms).
import os from 'node:os';
import path from 'node:path';
import { cpuMs, median } from '../support.mjs';
import { abSetup } from './ab-setup.mjs';

const { size, reps, dir, tf, mobilenetV1, startWasm } = await abSetup();
const argv = process.argv.slice(2);
const perKernel = argv.includes('--kernels') && argv[argv.indexOf('--kernels') + 1] !== '0';
const { setSimdKernelsEnabled } = await import(path.join(dir, 'kernels/simd.js'));
await startWasm();

const model = mobilenetV1(tf, { size, alpha: 0.25, classes: 10 });
const x = tf.randomNormal([16, size, size, 3]);
const y = tf.oneHot(tf.randomUniform([16], 0, 10, 'int32'), 10);
const variables = model.trainableWeights.map((w) => w.read());
const WATCHED = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'GraftMaskedGrad',
  'GraftBatchNormGradSums',
  'FusedBatchNorm',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropInput',
  'Minimum',
];
const calls = [];
const engine = tf.engine();
const runKernel = engine.runKernel.bind(engine);
let recording = false;
/** ms spent inside the watched kernels (they run synchronously) since the last reset. */
let inWatched = 0;
engine.runKernel = (name, inputs, attrs) => {
  if (!WATCHED.includes(name)) return runKernel(name, inputs, attrs);
  if (recording) {
    calls.push({ name, shapes: Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.shape])), attrs: { ...attrs } });
  }
  const t0 = performance.now();
  const out = runKernel(name, inputs, attrs);
  inWatched += performance.now() - t0;
  return out;
};
const step = () => {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), variables);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};

const paths = [['simd', true], ['xnnpack', false]];
const load0 = os.loadavg()[0];
const cpu = { simd: [], xnnpack: [] };
const watched = { simd: [], xnnpack: [] };
// Three warm-up rounds: the first steps run slower while V8 tiers the wasm code up and tfjs caches operators.
for (let r = -3; r < reps; r++) {
  for (const [name, on] of paths) {
    setSimdKernelsEnabled(on);
    recording = r === -3 && on;
    inWatched = 0;
    const c0 = cpuMs();
    step();
    if (r >= 0) {
      cpu[name].push(cpuMs() - c0);
      watched[name].push(inWatched);
    }
  }
}
recording = false;
if (argv.includes('--verbose')) console.log(JSON.stringify({ cpu, watched }, (_, v) => (typeof v === 'number' ? Math.round(v) : v)));
const [a, b] = [median(cpu.simd), median(cpu.xnnpack)];
console.log(
  `size ${size}, batch 16, training step, median of ${reps}: SIMD kernels cpu ${a.toFixed(1)} ms, ` +
    `without ${b.toFixed(1)} ms → ${(b / a).toFixed(2)}×; of which in those kernels (wall) ` +
    `${median(watched.simd).toFixed(1)} vs ${median(watched.xnnpack).toFixed(1)} ms; ` +
    `load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
);

if (perKernel) {
  const rows = [];
  const total = { simd: 0, xnnpack: 0 };
  for (const call of calls) {
    const ins = Object.fromEntries(Object.entries(call.shapes).map(([k, s]) => [k, tf.randomNormal(s)]));
    const ms = { simd: [], xnnpack: [] };
    const inner = Math.max(1, Math.round(2e7 / Object.values(ins).reduce((n, t) => n + t.size * 9, 0)));
    for (let r = -1; r < reps; r++) {
      for (const [name, on] of paths) {
        setSimdKernelsEnabled(on);
        const c0 = cpuMs();
        for (let i = 0; i < inner; i++) tf.dispose(runKernel(call.name, ins, call.attrs));
        if (r >= 0) ms[name].push((cpuMs() - c0) / inner);
      }
    }
    tf.dispose(Object.values(ins));
    const [s, t] = [median(ms.simd), median(ms.xnnpack)];
    total.simd += s;
    total.xnnpack += t;
    const f = call.attrs.filterShape ?? call.shapes.filter;
    const largest = Object.values(call.shapes).sort((p, q) => q.reduce((m, d) => m * d, 1) - p.reduce((m, d) => m * d, 1))[0];
    const x = call.shapes.x ?? call.attrs.inputShape ?? largest;
    const what = f ? `filter ${f.join('×').padEnd(12)} stride ${String(call.attrs.strides)}` : String(call.attrs.mode ?? '');
    rows.push(
      `${call.name.padEnd(36)} x ${x.join('×').padEnd(12)} ${what.padEnd(30)}` +
        `simd ${s.toFixed(3)} ms  xnnpack ${t.toFixed(3)} ms  ${(t / s).toFixed(1)}×`,
    );
  }
  console.log(rows.join('\n'));
  console.log(
    `per step, these kernels: simd ${total.simd.toFixed(2)} ms, xnnpack ${total.xnnpack.toFixed(2)} ms ` +
      `(${(total.xnnpack / total.simd).toFixed(1)}×); load ${os.loadavg()[0].toFixed(1)}`,
  );
}
setSimdKernelsEnabled(true);
