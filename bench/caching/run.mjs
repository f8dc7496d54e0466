#!/usr/bin/env node
// An epoch of `linear-probe` on the real MobileNet v1 0.25 with and without feature caching, in one run.
// Without the cache every step runs the frozen trunk; with it the trunk runs once per split and each epoch
// is a head update on stored features. Usage (after `npm run build`):
//   GRAFT_MODEL_MIRROR=../shared/models node bench/caching/run.mjs [--per-class 100] [--size 64] [--epochs 3]
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRuntime } from '@graft/core';
import { firstPartyPlugins } from '@graft/cli';

const { values } = parseArgs({ options: { 'per-class': { type: 'string', default: '100' }, size: { type: 'string', default: '64' }, epochs: { type: 'string', default: '3' } } });
const runtime = createRuntime({ plugins: firstPartyPlugins });

async function epochSeconds(cacheFeatures) {
  const run = await runtime.load({
    backend: 'auto',
    seed: 0,
    source: { use: 'vision/mobilenet-v1', alpha: 0.25, size: 224, inputSize: Number(values.size) },
    tasks: [{ name: 'fashion', data: { use: 'vision/fashion-mnist', perClass: Number(values['per-class']), testSize: 100 } }],
    stages: [{ use: 'linear-probe', epochs: Number(values.epochs), lr: 0.001, batchSize: 32, cacheFeatures }],
    output: { dir: mkdtempSync(join(tmpdir(), 'graft-bench-')), checkpoint: false },
  });
  // An epoch is timed from the end of the previous one; the first from its first step (so it leaves out
  // loading, and for the cached run also the one-off feature computation, which `total` includes).
  const times = [];
  let started = 0;
  const t0 = performance.now();
  const outcome = await run.train({
    callbacks: {
      onStep: (p) => {
        if (p.step === 0 && times.length === 0) started = performance.now();
      },
      onEpochEnd: () => {
        times.push((performance.now() - started) / 1000);
        started = performance.now();
      },
    },
  });
  return { times, total: (performance.now() - t0) / 1000, backend: outcome.backend };
}

const cached = await epochSeconds(true);
const uncached = await epochSeconds(false);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const later = (xs) => median(xs.slice(1));
console.log(`linear-probe epoch, MobileNet v1 0.25 at ${values.size}×${values.size}, ${Number(values['per-class']) * 10} images, backend ${cached.backend}`);
console.log(`without cache: ${uncached.times.map((t) => t.toFixed(2)).join(', ')} s per epoch`);
console.log(`with cache:    ${cached.times.map((t) => t.toFixed(2)).join(', ')} s per epoch`);
console.log(`ratio, epochs after the first (median): ${(later(uncached.times) / later(cached.times)).toFixed(1)}× faster with the cache`);
console.log(`whole run (loading, feature computation, ${values.epochs} epochs, evaluation): ${uncached.total.toFixed(1)} s without, ${cached.total.toFixed(1)} s with the cache (${(uncached.total / cached.total).toFixed(2)}×)`);
