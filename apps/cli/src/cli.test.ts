import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './test-utils/run-cli.js';

const example = resolve(__dirname, '../../../examples/tiny.yaml');

const run = runCli;

/** The test fixtures plugin by path, a JavaScript file (see test-utils/fixtures-plugin.mjs). */
const fixturesPlugin = resolve(__dirname, 'test-utils/fixtures-plugin.mjs');
/** The same plugin's TypeScript source: `graft` imports a `.ts` plugin through tsx (the first test does). */
const fixturesPluginSource = resolve(__dirname, '../../../packages/testing/src/index.ts');

/** A config in a fresh folder, with the test fixtures plugin listed. */
function tempConfig(body: string, plugin = fixturesPlugin): string {
  const dir = mkdtempSync(join(tmpdir(), 'graft-cli-'));
  const file = join(dir, 'graft.yaml');
  writeFileSync(file, `plugins: [${JSON.stringify(plugin)}]\n${body}`);
  return file;
}

afterEach(() => vi.restoreAllMocks());

describe('graft train', () => {
  it('trains the tiny example and prints one JSON document with history, final metrics and checkpoint', async () => {
    const config = tempConfig(
      `source: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\nseed: 2\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 96, test: 32 } }]\nstages: [{ use: fine-tune, epochs: 4, lr: 0.01, batchSize: 16 }]\n`,
      fixturesPluginSource,
    );
    const { code, stdout, stderr } = await run('train', '-c', config, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.history).toHaveLength(4);
    expect(result.history[3].loss).toBeLessThan(result.history[0].loss);
    expect(result.final.metrics.strokes.accuracy).toBeGreaterThan(0.25);
    expect(result.checkpoint).toMatch(/checkpoint\.graft$/);
    expect(stderr).toContain('fine-tune · epoch 4');
  });

  it('exits with 2 and a clear message for a config error', async () => {
    const config = tempConfig(`source: { use: testing/tiny-conv }\ntasks: [{ name: a, data: { use: testing/strokes } }]\nstages: [{ use: fine-tuen }]\n`);
    const { code, stderr } = await run('train', '-c', config);
    expect(code).toBe(2);
    expect(stderr).toContain('GRAFT_UNKNOWN_STRATEGY: Unknown strategy "fine-tuen" at stages[0].use in graft.yaml.');
    expect(stderr).toContain('Did you mean "fine-tune"?');
  });

  it('exits with 1 when a run fails (resuming without a checkpoint)', async () => {
    const config = tempConfig(`source: { use: testing/tiny-conv }\nbackend: cpu\ntasks: [{ name: a, data: { use: testing/strokes } }]\nstages: [{ use: fine-tune }]\n`);
    const { code, stderr } = await run('train', '-c', config, '--resume');
    expect(code).toBe(1);
    expect(stderr).toMatch(/GRAFT_CHECKPOINT_NOT_FOUND: No checkpoint at .*checkpoint\.graft\./);
  });

  it('exits with 2 on a usage error', async () => {
    expect((await run('train')).code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
  });
});

describe('graft compare', () => {
  it('runs each entry on identical splits and seeds, prints mean ± std and writes results.json and report.html', async () => {
    const config = tempConfig(
      `name: cmp\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 64, test: 32 } }]\nstages: [{ use: fine-tune, epochs: 2, lr: 0.01, batchSize: 16 }]\ncompare: { presets: { quick: [{ use: linear-probe, epochs: 1 }] } }\n`,
    );
    const { code, stdout } = await run('compare', '-c', config, '--strategies', 'linear-probe,quick', '--seeds', '2', '--per-class', '4,8', '--json');
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout);
    expect(results.map((r: { strategy: string; perClass: number }) => `${r.strategy}@${r.perClass}`)).toEqual(['linear-probe@4', 'quick@4', 'linear-probe@8', 'quick@8']);
    for (const r of results) {
      const values = r.runs.map((x: { value: number }) => x.value);
      expect(r.mean).toBeCloseTo(values.reduce((a: number, b: number) => a + b, 0) / values.length, 10);
      expect(r.runs.map((x: { seed: number }) => x.seed)).toEqual([0, 1]);
    }
    // Identical splits: per few-shot size and seed, both entries saw the same examples; other seeds or
    // sizes drew other training samples (the digests can tell them apart), from the same test split.
    type Run = { seed: number; splits: { train: string; test: string } };
    const splits = (i: number) => results[i].runs.map((x: Run) => x.splits);
    expect(splits(0)).toEqual(splits(1));
    expect(splits(2)).toEqual(splits(3));
    const trains = [0, 2].flatMap((i) => splits(i).map((s: Run['splits']) => s.train));
    expect(new Set(trains).size).toBe(4);
    expect(new Set([0, 2].flatMap((i) => splits(i).map((s: Run['splits']) => s.test))).size).toBe(1);
    const { readFileSync } = await import('node:fs');
    const dir = join(config, '..', 'runs', 'cmp');
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).results).toHaveLength(4);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // Bars, the sample-efficiency curve (two few-shot sizes) and the learning curves.
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).toContain('<h2>Sample efficiency</h2>');
    expect(html).toContain('labelled samples per class');
    expect(html).toContain('quick');
  });

  it('names an unknown entry and lists the valid ones', async () => {
    const config = tempConfig(`source: { use: testing/tiny-conv }\nbackend: cpu\ntasks: [{ name: a, data: { use: testing/strokes } }]\nstages: [{ use: fine-tune }]\n`);
    const { code, stderr } = await run('compare', '-c', config, '--strategies', 'fine-tun');
    expect(code).toBe(2);
    expect(stderr).toMatch(/GRAFT_USAGE: Unknown comparison entry "fine-tun"\. Valid choices: .*fine-tune.*lp-ft/);
  });
});

describe('graft compare: runs written as they finish, failures recorded, --resume, --sources', () => {
  const body = (extra = '') =>
    `name: cmp\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 48, test: 24 } }]\nstages: [{ use: fine-tune, epochs: 1, lr: 0.01, batchSize: 16 }]\n${extra}`;

  it('records a failed run, goes on with the others, prints the backend, and --resume reruns only what did not finish', async () => {
    const config = tempConfig(body(`compare: { presets: { boom: [{ use: fine-tune, epochs: 1, lr: 1.0e+30 }] } }\n`));
    const first = await run('compare', '-c', config, '--strategies', 'boom,linear-probe', '--seeds', '2', '--json');
    expect(first.code).toBe(0);
    const { results } = JSON.parse(first.stdout);
    expect(results[0]).toMatchObject({ strategy: 'boom', failed: 2 });
    expect(results[0].runs[0].error).toMatch(/^GRAFT_NAN_LOSS/);
    expect(results[1]).toMatchObject({ strategy: 'linear-probe', failed: 0 });
    expect(results[1].mean).toBeGreaterThan(0);
    expect(first.stderr).toMatch(/\[1\/4\] boom\/seed-0 · FAILED after .*GRAFT_NAN_LOSS/);
    expect(first.stderr).toMatch(/\[3\/4\] linear-probe\/seed-0 · backend cpu · /);
    const dir = join(config, '..', 'runs', 'cmp', 'compare');
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(join(dir, 'linear-probe', 'seed-1', 'result.json'), 'utf8')).backend).toBe('cpu');

    const resumed = await run('compare', '-c', config, '--strategies', 'boom,linear-probe', '--seeds', '2', '--resume', '--json');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/\[3\/4\] linear-probe\/seed-0 · reused \(--resume\)/);
    expect(resumed.stderr).toMatch(/\[1\/4\] boom\/seed-0 · FAILED/);
    const again = JSON.parse(resumed.stdout).results;
    expect(again[1].runs.map((r: { value: number }) => r.value)).toEqual(results[1].runs.map((r: { value: number }) => r.value));
  });

  it('compares the same entries on each source with identical splits and seeds, grouped by source', async () => {
    const config = tempConfig(body(`compare: { sources: { small: { use: testing/tiny-conv, seed: 1 }, other: { use: testing/tiny-conv, seed: 9 } } }\n`));
    const { code, stdout } = await run('compare', '-c', config, '--strategies', 'linear-probe', '--seeds', '2', '--json');
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout);
    expect(results.map((r: { source: string; strategy: string }) => `${r.source}:${r.strategy}`)).toEqual(['small:linear-probe', 'other:linear-probe']);
    expect(results[0].runs.map((r: { seed: number }) => r.seed)).toEqual(results[1].runs.map((r: { seed: number }) => r.seed));
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(config, '..', 'runs', 'cmp', 'report.html'), 'utf8')).toContain('small · all data');
    // `small` is the config's own source: same result as the plain comparison of the config.
    const plain = JSON.parse((await run('compare', '-c', config, '--strategies', 'linear-probe', '--sources', 'config', '--seeds', '2', '--json')).stdout).results;
    expect(plain[0].runs.map((r: { value: number }) => r.value)).toEqual(results[0].runs.map((r: { value: number }) => r.value));
    const bad = await run('compare', '-c', config, '--strategies', 'linear-probe', '--sources', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/GRAFT_USAGE: Unknown source "nope" to compare on at --sources\. Valid choices: config, small, other/);
  });
});

describe('plugins a config lists', () => {
  it('graft plugins -c, graft schema -c and graft compare --strategies see them', async () => {
    const config = tempConfig(`name: own\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 32, test: 16 } }]\nstages: [{ use: fine-tune, epochs: 1, lr: 0.01, batchSize: 16 }]\n`);
    const { readFileSync } = await import('node:fs');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^plugins: \[(.*)\]/, 'plugins: [$1, ./own-plugin.mjs]'));
    writeFileSync(
      join(dirname(config), 'own-plugin.mjs'),
      `export default { meta: { name: 'own', version: '1.0.0', graft: '*' }, comparePresets: [{ name: 'own/probe', description: 'probe twice', stages: (b) => [{ ...b, use: 'linear-probe' }, { ...b, use: 'linear-probe' }] }] };\n`,
    );
    const plugins = JSON.parse((await run('plugins', '-c', config, '--json')).stdout).plugins;
    expect(plugins.find((p: { name: string }) => p.name === 'own').comparePresets).toEqual([{ name: 'own/probe', description: 'probe twice' }]);
    expect(plugins.find((p: { name: string }) => p.name === '@graft/strategies').comparePresets.map((p: { name: string }) => p.name)).toContain('lp-ft');
    expect((await run('schema', '-c', config)).code).toBe(0);
    const compared = await run('compare', '-c', config, '--strategies', 'own/probe', '--seeds', '1', '--json');
    expect(compared.code).toBe(0);
    expect(JSON.parse(compared.stdout).results[0].runs[0].history).toBeUndefined();
    expect(JSON.parse(compared.stdout).results[0].runs[0].metrics.strokes.accuracy).toBeGreaterThanOrEqual(0);
  });
});

describe('graft compare --multitask', () => {
  it('compares single-task models, joint weightings and sequential transfer, with Δm against the single-task row', async () => {
    const config = tempConfig(
      `name: mt\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks:\n  - { name: strokes, data: { use: testing/strokes, train: 32, test: 16 } }\n  - { name: ink, type: regression, target: ink, data: { use: testing/strokes, train: 32, test: 16 } }\nstages: [{ use: multitask, epochs: 1, lr: 0.01, batchSize: 16 }]\n`,
    );
    const { code, stdout } = await run('compare', '-c', config, '--multitask', '--weightings', 'equal,pcgrad', '--seeds', '1', '--sequential', '--json');
    expect(code).toBe(0);
    const { rows } = JSON.parse(stdout);
    expect(rows.map((r: { method: string }) => r.method)).toEqual(['single-task', 'equal', 'pcgrad', 'sequential']);
    const single = rows[0].tasks;
    for (const row of rows.slice(1)) {
      const acc = (row.tasks.strokes.mean - single.strokes.mean) / single.strokes.mean;
      const mae = -(row.tasks.ink.mean - single.ink.mean) / single.ink.mean;
      expect(row.deltaM).toBeCloseTo((100 * (acc + mae)) / 2, 8);
    }
    // Sequential: task 1 is its own single-task model; task 2 starts from task 1's trunk.
    expect(rows[3].tasks.strokes.values).toEqual(single.strokes.values);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(config, '..', 'runs', 'mt', 'report-multitask.html'), 'utf8').match(/<svg/g)).toHaveLength(2);
  });
});

describe('graft export --format onnx', () => {
  it('exports a fine-tuned text classifier that transformers.js runs with the same predictions as graft predict', async () => {
    const { writeTinyBert, vocabFromTexts } = await import('@graft/text');
    const { pipeline, env } = await import('@huggingface/transformers');
    const { writeFileSync: write, mkdtempSync: temp } = await import('node:fs');
    env.allowRemoteModels = false;
    const texts = ['win a free prize now', 'see you at lunch', 'free money for you', 'the meeting moved to noon', 'claim your free prize', 'lunch at noon tomorrow'];
    const dir = temp(join(tmpdir(), 'graft-export-cli-'));
    await writeTinyBert(join(dir, 'bert'), { vocab: vocabFromTexts(texts), hidden: 32, heads: 4, layers: 2, seed: 5 });
    write(join(dir, 'train.jsonl'), texts.map((text, i) => JSON.stringify({ text, label: i % 2 === 0 ? 'spam' : 'ham' })).join('\n'));
    const config = join(dir, 'graft.yaml');
    write(config, `backend: cpu\nsource: { use: text/bert, path: bert }\ntasks: [{ name: spam, data: { use: text/jsonl, path: train.jsonl, tokenizer: bert, testFraction: 0 } }]\nstages: [{ use: fine-tune, epochs: 3, lr: 0.001, batchSize: 3 }]\n`);
    expect((await run('train', '-c', config, '--json')).code).toBe(0);
    const exported = await run('export', '-c', config, '--format', 'onnx', '--out', join(dir, 'exported'), '--json');
    expect(exported.code).toBe(0);
    const graft = JSON.parse((await run('predict', '-c', config, '--split', 'train', '--limit', '6', '--json')).stdout).results[0].predictions;
    const classify = await pipeline('text-classification', join(dir, 'exported'), { dtype: 'fp32' });
    for (const [i, text] of texts.entries()) {
      const [best] = (await classify(text)) as { label: string; score: number }[];
      expect(best!.label, text).toBe(graft[i].label);
      expect(best!.score).toBeCloseTo(graft[i].probabilities[graft[i].label], 4);
    }
    await classify.dispose();
    expect((await run('export', '-c', config, '--format', 'tflite', '--out', join(dir, 'x'))).stderr).toContain('GRAFT_USAGE: Unknown export format "tflite". Valid choices: tfjs-layers, onnx. Pick a format a loaded plugin exports');
  });
});

describe('graft train on the real MobileNet', () => {
  const mirror = resolve(__dirname, '../../../../shared/models');
  const fashion = '/usr/share/datasets/fashion-mnist';
  const ready = existsSync(join(mirror, 'mobilenet_v1_0.25_224', 'model.json')) && existsSync(fashion);
  it.skipIf(!ready && !process.env.CI)('fine-tunes the ImageNet MobileNet v1 0.25 end to end on wasm, and the loss falls', async () => {
    const config = tempConfig(
      `backend: wasm\nseed: 1\nsource: { use: vision/mobilenet-v1, alpha: 0.25, inputSize: 32, mirror: ${JSON.stringify(mirror)} }\ntasks: [{ name: fashion, data: { use: vision/fashion-mnist, perClass: 6, testSize: 60 } }]\nstages: [{ use: fine-tune, epochs: 6, lr: 0.001, headLr: 0.01, batchSize: 12, bn: inference }]\n`,
    );
    const { code, stdout } = await run('train', '-c', config, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.backend).toBe('wasm');
    expect(result.history[5].loss).toBeLessThan(result.history[0].loss * 0.95);
  });
});

describe('graft eval and predict', () => {
  it('evaluate and predict with the checkpoint a training run left, from the config or the run folder alone', async () => {
    const config = tempConfig(`name: ep\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 64, test: 16 } }]\nstages: [{ use: fine-tune, epochs: 2, lr: 0.01, batchSize: 16 }]\n`);
    const trained = JSON.parse((await run('train', '-c', config, '--json')).stdout);
    const evaluated = JSON.parse((await run('eval', '-c', config, '--json')).stdout);
    expect(evaluated.metrics.strokes.accuracy).toBe(trained.final.metrics.strokes.accuracy);
    const runFolder = join(dirname(config), 'runs', 'ep');
    const fromFolder = JSON.parse((await run('eval', runFolder, '--json')).stdout);
    expect(fromFolder.metrics).toEqual(evaluated.metrics);
    expect(fromFolder.checkpoint).toBe(join(runFolder, 'checkpoint.graft'));
    const predicted = JSON.parse((await run('predict', '-c', config, '--limit', '3', '--json')).stdout);
    expect(predicted.results[0].predictions).toHaveLength(3);
    expect(['vertical', 'horizontal', 'diagonal', 'blank']).toContain(predicted.results[0].predictions[0].label);

    // Raw inputs give the same predictions as the split's first samples.
    const { createRuntime } = await import('@graft/core');
    const { firstPartyPlugins } = await import('./plugins.js');
    const session = await (await createRuntime({ plugins: firstPartyPlugins }).load(config)).open();
    const test = session.data.groups[0]!.dataset.test!;
    const image = test.inputs.image!;
    const row = image.shape.slice(1).reduce((a, b) => a * b, 1);
    const { tensor } = await import('@tensorflow/tfjs');
    const samples = tensor(Array.from(image.data.subarray(0, 3 * row)), [3, ...image.shape.slice(1)]).arraySync();
    session.dispose();
    const inputFile = join(dirname(config), 'inputs.json');
    writeFileSync(inputFile, JSON.stringify({ image: samples }));
    const fromInputs = JSON.parse((await run('predict', runFolder, '--input', inputFile, '--json')).stdout);
    expect(fromInputs.results).toEqual(predicted.results);
  });

  it('refuses a bad split, a bad limit, a missing run and a folder without a checkpoint with exit 2 or a clear code', async () => {
    const config = tempConfig(`name: bad\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 32, test: 16 } }]\nstages: [{ use: fine-tune, epochs: 1, lr: 0.01, batchSize: 16 }]\n`);
    expect((await run('train', '-c', config, '--json')).code).toBe(0);
    const split = await run('eval', '-c', config, '--split', 'bogus');
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('GRAFT_USAGE: Unknown split "bogus" at split. Valid choices: train, validation, test.');
    const limit = await run('predict', '-c', config, '--limit', '-1');
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('GRAFT_USAGE: "-1" is not a positive whole number at --limit.');
    const none = await run('eval');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('GRAFT_USAGE: No trained run named.');
    const empty = await run('eval', dirname(config));
    expect(empty.stderr).toMatch(/GRAFT_CHECKPOINT_NOT_FOUND: The folder .* holds no checkpoint\.graft/);
    const inputDir = await run('predict', '-c', config, '--input', dirname(config));
    expect(inputDir.code).toBe(2);
    expect(inputDir.stderr).toMatch(/GRAFT_USAGE: .* is a folder, not a file at --input/);
  });
});

describe('graft schema, plugins and backends', () => {
  it('prints a JSON Schema covering the registered strategies', async () => {
    const { code, stdout } = await run('schema');
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(expect.arrayContaining(['source', 'tasks', 'stages']));
    expect(stdout).toContain('"gradual-unfreeze"');
  });

  it('lists the first-party plugins and what they register', async () => {
    const { stdout } = await run('plugins', '--json');
    const { plugins } = JSON.parse(stdout);
    const names = plugins.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['@graft/core', '@graft/strategies']));
    expect(names).not.toContain('@graft/testing');
    const strategies = plugins.find((p: { name: string }) => p.name === '@graft/strategies');
    expect(strategies.strategies.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['scratch', 'linear-probe', 'fine-tune', 'gradual-unfreeze']));
  });

  it('lists backends with availability and capabilities', async () => {
    const { backends } = JSON.parse((await run('backends', '--json')).stdout);
    expect(backends.find((b: { name: string }) => b.name === 'cpu')).toMatchObject({ available: true, capabilities: { trainsConvolutions: true } });
  });

  it('shows help for every command', async () => {
    for (const cmd of ['train', 'eval', 'predict', 'plugins', 'backends', 'schema']) {
      const { code, stdout } = await run(cmd, '--help');
      expect(code, cmd).toBe(0);
      expect(stdout, cmd).toContain(`Usage: graft ${cmd}`);
    }
  });
});

describe('the examples', () => {
  it('examples/tiny.yaml is a valid config', async () => {
    const { createRuntime } = await import('@graft/core');
    const { firstPartyPlugins } = await import('./plugins.js');
    const run = await createRuntime({ plugins: firstPartyPlugins }).load(example);
    expect(run.plan.stages.map((s) => s.strategy.name)).toEqual(['linear-probe', 'fine-tune']);
  });

  it('every config in examples/ is valid against the first-party plugins', async () => {
    const { createRuntime } = await import('@graft/core');
    const { firstPartyPlugins } = await import('./plugins.js');
    const dir = dirname(example);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files).toContain('spam-ulmfit.yaml');
    for (const file of files) {
      const run = await createRuntime({ plugins: firstPartyPlugins }).load(join(dir, file));
      expect(run.plan.stages.length, file).toBeGreaterThan(0);
    }
  });
});
