import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime, definePlugin, readConfigFile, runSearch, type Dataset, type DatasetProvider } from '@graft/core/internal';
import { strokesDataset as strokes, testingPlugin as strokesPlugin } from '@graft/testing';
import { firstPartyPlugins } from './plugins.js';
import { comparable, configIn, exited, SEARCH_CONFIG, startCli, until } from './test-utils/search.js';
import { runCli } from './test-utils/run-cli.js';

const run = runCli;

afterEach(() => vi.restoreAllMocks());

const studyLines = (dir: string) => {
  const path = join(dir, 'runs/search/search/study.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"type":"trial"')).length : 0;
};

describe('graft search', () => {
  // One study of SEARCH_CONFIG, run once: the first test reads it, and the tests that need a finished study
  // (to refuse starting over it, to refuse resuming it under an edited config) work on copies of its folder.
  let study: { dir: string; file: string; code: number; stdout: string; stderr: string };
  let uninterrupted: ReturnType<typeof comparable>;
  beforeAll(async () => {
    const { dir, file } = configIn();
    study = { dir, file, ...(await run('search', '-c', file, '--json')) };
  }, 300_000);

  /** A new folder holding SEARCH_CONFIG (or `body`) and a copy of the finished study. */
  const copyOfStudy = (body?: string) => {
    const copy = configIn(body);
    cpSync(join(study.dir, 'runs'), join(copy.dir, 'runs'), { recursive: true });
    return copy;
  };

  it('scores each trial by k-fold cross-validation, retrains the best and writes the study, best.yaml and report.html', () => {
    const { dir, code, stdout, stderr } = study;
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.trials).toHaveLength(4);
    for (const t of result.trials.filter((t: { state: string }) => t.state === 'complete')) expect(t.folds).toHaveLength(3);
    const complete = result.trials.filter((t: { state: string }) => t.state === 'complete');
    expect(result.best.mean).toBe(Math.max(...complete.map((t: { mean: number }) => t.mean)));
    expect(result.final.split).toBe('test');
    expect(result.final.value).toBeGreaterThan(0.25);
    for (const name of ['study.jsonl', 'best.yaml', 'results.json', 'report.html']) expect(existsSync(join(dir, 'runs/search/search', name))).toBe(true);
    const best = readConfigFile(join(dir, 'runs/search/search/best.yaml'));
    expect((best.raw as { search?: unknown }).search).toBeUndefined();
    expect((best.raw as { stages: { lr: number }[] }).stages[1]!.lr).toBe(result.best.params['stages[1].lr']);
    expect(readFileSync(join(dir, 'runs/search/search/report.html'), 'utf8')).toContain('<svg');
    uninterrupted = comparable(result.trials);
  });

  it('refuses to start over a study without --resume or --fresh', async () => {
    const { file } = copyOfStudy();
    const again = await run('search', '-c', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/GRAFT_SEARCH_INVALID: A study already exists at .*study\.jsonl\. Starting over would discard its finished trials\. Continue it with `graft search --resume`, or pass `--fresh`/);
  });

  it('after kill -9 mid-study, --resume finishes without repeating a trial and gives the same table', async () => {
    const { dir, file } = configIn();
    const child = startCli(['search', '-c', file]);
    await until(() => studyLines(dir) >= 2 || child.exitCode !== null, 60_000, 'two finished trials');
    child.kill('SIGKILL');
    await exited(child);
    const kept = studyLines(dir);
    expect(kept).toBeGreaterThanOrEqual(2);
    const { code, stdout, stderr } = await run('search', '-c', file, '--resume', '--json');
    expect(code, stderr).toBe(0);
    // Only the trials the killed search had not finished ran again.
    expect(stderr.match(/\] trial \d+ \(local\)/g) ?? []).toHaveLength(4 - kept);
    expect(comparable(JSON.parse(stdout).trials)).toEqual(uninterrupted);
  });

  it('never reads the test split before the final evaluation', async () => {
    const reads: string[] = [];
    let phase = 'trials';
    // The real strokes data, with its test split behind a proxy that notes every read of it.
    const spy: DatasetProvider = {
      ...strokes,
      name: 'spy/strokes',
      async load(options, context) {
        const data = (await strokes.load(options, context)) as Dataset;
        const test = data.test && new Proxy(data.test, { get: (t, key, r) => (reads.push(`${phase}:${String(key)}`), Reflect.get(t, key, r)) });
        return { ...data, test };
      },
    };
    const runtime = createRuntime({ plugins: [...firstPartyPlugins, strokesPlugin, definePlugin({ meta: { name: 'spy', version: '0.0.0', graft: '*' }, datasets: [spy] })] });
    // One batch of two trials on two folds: every way a trial reads data, at a third of the study's cost.
    const body = SEARCH_CONFIG.replace('testing/strokes', 'spy/strokes').replace(/^plugins: .*\n/, '').replace('trials: 4', 'trials: 2').replace('folds: 3', 'folds: 2');
    const { file } = configIn(body);
    const result = await runSearch(runtime, readConfigFile(file), { onFinal: () => (phase = 'final') });
    expect(result.trials).toHaveLength(2);
    expect(reads.filter((r) => r.startsWith('trials:'))).toEqual([]);
    expect(reads.filter((r) => r.startsWith('final:')).length).toBeGreaterThan(0);
  });

  it.each([
    ['a path the config does not have', `  space:\n    stages[2].lr: [0.1]\n`, /GRAFT_SEARCH_INVALID: The search parameter "stages\[2\]\.lr" points into "stages\[2\]", which the config does not have/],
    ['a range of the wrong type', `  space:\n    stages[1].lr: { logUniform: [fast, slow] }\n`, /logUniform needs two finite numbers \[low, high\], got \["fast","slow"\]/],
    ['a value the option does not accept', `  space:\n    stages[1].lr: [0.01, fast]\n`, /search\.space\["stages\[1\]\.lr"\] can take the value "fast", which makes the config invalid/],
    ['an empty grid', `  sampler: grid\n  space:\n    stages[1].lr: []\n`, /An empty list of choices for "stages\[1\]\.lr"/],
    ['a grid over a continuous range', `  sampler: grid\n  space:\n    stages[1].lr: { uniform: [0.001, 0.1] }\n`, /The grid sampler cannot enumerate the continuous range of "stages\[1\]\.lr"/],
    ['more folds than the smallest class has samples', `  folds: 5\n  space:\n    stages[1].lr: [0.01]\n`, /search\.folds is 5, but a class of task "strokes" has only 3 labelled training samples/],
  ])('refuses %s with exit 2, writing nothing', async (_name, block, message) => {
    const body = SEARCH_CONFIG.replace(/search:[\s\S]*$/, `search:\n  trials: 2\n${block}`).replace('train: 48', _name.startsWith('more folds') ? 'train: 48, perClass: 3' : 'train: 48');
    const { dir, file } = configIn(body);
    const { code, stderr } = await run('search', '-c', file);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
    expect(existsSync(join(dir, 'runs/search/search/study.jsonl'))).toBe(false);
  });

  it('refuses a config without a search block', async () => {
    const { file } = configIn(SEARCH_CONFIG.replace(/search:[\s\S]*$/, ''));
    const { code, stderr } = await run('search', '-c', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/GRAFT_SEARCH_INVALID: .*graft\.yaml has no `search` block/);
  });

  it('refuses to resume a study under an edited config', async () => {
    const { file } = copyOfStudy(SEARCH_CONFIG.replace('seed: 3', 'seed: 4'));
    const { code, stderr } = await run('search', '-c', file, '--resume');
    expect(code).toBe(2);
    expect(stderr).toMatch(/GRAFT_SEARCH_CONFIG_MISMATCH: The study at .* was run with a different config/);
  });
});
