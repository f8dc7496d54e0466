/**
 * Graft from TypeScript: train a config, watch its epochs, open the trained run, and compare strategies.
 * Run it with `npx tsx examples/api/train-and-compare.ts [output folder]`; it prints one JSON document.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, defineConfig, type HistoryEntry } from '@graft/cli';
import { testingPlugin } from '@graft/testing'; // the tiny fixtures: a conv net built from a seed, synthetic strokes

const out = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'graft-api-'));

const config = defineConfig({
  name: 'api-example',
  backend: 'cpu',
  seed: 3,
  source: { use: 'testing/tiny-conv', seed: 1 },
  tasks: [{ name: 'strokes', data: { use: 'testing/strokes', train: 64, test: 32 } }],
  stages: [{ use: 'fine-tune', epochs: 3, lr: 0.02, batchSize: 16 }],
  output: { dir: join(out, 'train') },
  compare: { seeds: 1 },
});

const runtime = createRuntime({ plugins: [testingPlugin] });
const epochs: HistoryEntry[] = [];
const outcome = await (await runtime.load(config)).train({
  callbacks: { onEpochEnd: (entry) => void epochs.push(entry) },
});

const trained = await runtime.openTrained(join(out, 'train'));
let evaluated;
let predicted;
try {
  evaluated = await trained.evaluate('test');
  predicted = await trained.predict({ split: 'test', limit: 2 });
} finally {
  trained.dispose();
}

const { results } = await runtime.compare(config, { entries: ['scratch', 'fine-tune'], dir: join(out, 'compare') });

process.stdout.write(
  `${JSON.stringify({
    losses: epochs.map((e) => e.loss),
    final: outcome.final.metrics,
    evaluated,
    predicted,
    compared: results.map((r) => ({ strategy: r.strategy, mean: r.mean, std: r.std, runs: r.runs.length })),
  })}\n`,
);
