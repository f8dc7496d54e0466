#!/usr/bin/env node
// Cost of each multi-task weighting relative to `equal`, measured in one run on the same model and data.
// Loss weightings need one backward pass; gradient methods (pcgrad, mgda, cagrad, gradnorm) need one per
// task plus the combination. Usage: npm run build && node bench/weightings/run.mjs [--tasks 2|3] [--reps 3]
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRuntime } from '@graft/core';
import strategies from '@graft/strategies';
import { testingPlugin } from '@graft/testing';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '3' }, reps: { type: 'string', default: '3' } } });
const taskCount = Number(values.tasks);
const reps = Number(values.reps);
const runtime = createRuntime({ plugins: [strategies, testingPlugin] });
const weightings = [...runtime.registry.weightings.keys()];
const data = { use: 'testing/strokes', train: 256, test: 16 };
const tasks = [
  { name: 'label', data },
  { name: 'ink', type: 'regression', target: 'ink', data },
  { name: 'label2', target: 'label', data },
].slice(0, taskCount);

async function stepsPerSecond(weighting) {
  const run = await runtime.load({
    backend: 'cpu',
    seed: 1,
    source: { use: 'testing/tiny-conv', seed: 1 },
    tasks,
    stages: [{ use: 'multitask', epochs: 1, batchSize: 32, weighting: { use: weighting } }],
    output: { dir: mkdtempSync(join(tmpdir(), 'graft-bench-')), checkpoint: false },
  });
  let first = 0;
  let steps = 0;
  await run.train({
    callbacks: {
      onStep: () => {
        // The first step includes one-off work (kernel set-up, optimizer slots): time from its end.
        if (steps === 0) first = performance.now();
        steps += 1;
      },
    },
  });
  return (steps - 1) / ((performance.now() - first) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (let r = 0; r < reps; r++) {
  // Interleave weightings within each repetition so that machine noise hits them alike.
  for (const w of weightings) (results[w] ??= []).push(await stepsPerSecond(w));
}
const base = median(results.equal);
console.log(`weighting cost, tiny conv trunk, ${taskCount} tasks, batch 32, cpu backend, median of ${reps}`);
console.log('weighting     steps/s   time per step vs equal');
for (const w of weightings) {
  const s = median(results[w]);
  console.log(`${w.padEnd(12)} ${s.toFixed(2).padStart(8)}   ${(base / s).toFixed(2)}×`);
}
