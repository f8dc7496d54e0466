import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { comparable, configIn, exited, SEARCH_CONFIG, startCli, testRedis, until } from './test-utils/search.js';
import { runCli } from './test-utils/run-cli.js';

const run = runCli;

// The queue tests run against a real Redis (Debian's redis-server), never a stand-in.
// Their study is SEARCH_CONFIG on two folds: what a queue does with a trial does not depend on its folds.
const QUEUE_CONFIG = SEARCH_CONFIG.replace('folds: 3', 'folds: 2');
let redis: Awaited<ReturnType<typeof testRedis>>;
let local: ReturnType<typeof comparable>;
const workers: ReturnType<typeof startCli>[] = [];

// Each test has its own Redis database, so a worker one test leaves behind cannot take another's trials.
let db = 0;
const queueUrl = () => `${redis.url}/${db}`;

function worker(...extra: string[]) {
  const child = startCli(['worker', '--queue', queueUrl(), '--lock-seconds', '5', ...extra]);
  workers.push(child);
  return child;
}

async function stopWorkers() {
  for (const w of workers.splice(0)) {
    if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
    await exited(w);
  }
}

beforeAll(async () => {
  redis = await testRedis();
  const { file } = configIn(QUEUE_CONFIG);
  const { code, stdout, stderr } = await run('search', '-c', file, '--json');
  expect(code, stderr).toBe(0);
  local = comparable(JSON.parse(stdout).trials);
}, 300_000);

afterAll(async () => {
  await stopWorkers();
  await redis?.stop();
});

describe('graft search --queue', { timeout: 400_000 }, () => {
  beforeEach(() => void (db += 1));

  it('gives the same table with two workers as in one process', async () => {
    worker();
    worker();
    const { file } = configIn(QUEUE_CONFIG);
    const { code, stdout, stderr } = await run('search', '-c', file, '--queue', queueUrl(), '--json').finally(stopWorkers);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(comparable(result.trials)).toEqual(local);
    expect(new Set(result.trials.map((t: { worker: string }) => t.worker)).size).toBeGreaterThanOrEqual(1);
    expect(result.trials.every((t: { worker: string }) => t.worker !== 'local')).toBe(true);
  });

  it('runs the trials again after --fresh instead of taking the old study\'s results from the queue', async () => {
    // One trial: it runs again after --fresh, and its result is the same.
    const { dir, file } = configIn(QUEUE_CONFIG.replace('trials: 4', 'trials: 1'));
    const trials = join(dir, 'runs/search/search/trials');
    worker();
    try {
      const first = await run('search', '-c', file, '--queue', queueUrl(), '--json');
      expect(first.code, first.stderr).toBe(0);
      // --fresh empties the study folder; only trials that really run again make their run folders anew.
      const again = await run('search', '-c', file, '--queue', queueUrl(), '--fresh', '--json');
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(trials).sort()).toEqual(['0']);
      expect(comparable(JSON.parse(again.stdout).trials)).toEqual(comparable(JSON.parse(first.stdout).trials));
    } finally {
      await stopWorkers();
    }
  });

  it('retries the trial of a worker killed mid-trial on another worker, losing nothing', async () => {
    // Two trials (the first batch, so the same points as the four-trial study's first two).
    const { dir, file } = configIn(QUEUE_CONFIG.replace('trials: 4', 'trials: 2'));
    const first = worker();
    const search = run('search', '-c', file, '--queue', queueUrl(), '--json');
    try {
      const trials = join(dir, 'runs/search/search/trials');
      // Kill the first worker once it is inside a trial (its first fold's run folder exists).
      await until(() => existsSync(trials) && readdirSync(trials).length > 0, 120_000, 'a worker to start a trial');
      first.kill('SIGKILL');
      await exited(first);
      worker();
    } finally {
      await search.catch(() => undefined);
      await stopWorkers();
    }
    const { code, stdout, stderr } = await search;
    expect(code, stderr).toBe(0);
    expect(comparable(JSON.parse(stdout).trials)).toEqual(local.slice(0, 2));
  });

  it('refuses a worker whose config differs, and the study reports the dead-lettered trials', async () => {
    const other = configIn(QUEUE_CONFIG.replace('seed: 3', 'seed: 9'));
    worker('-c', other.file);
    const { file } = configIn(QUEUE_CONFIG.replace('trials: 4', 'trials: 1'));
    const { code, stderr } = await run('search', '-c', file, '--queue', queueUrl(), '--attempts', '2').finally(stopWorkers);
    expect(code).toBe(1);
    expect(stderr).toMatch(/GRAFT_SEARCH_FAILED: No trial of the study finished \(1 failed, 0 pruned\)/);
    expect(stderr).toMatch(/dead-lettered after 1 attempts: GRAFT_SEARCH_CONFIG_MISMATCH: Worker .* has a different config for this study/);
  });

  it('names an unreachable Redis and the fix', async () => {
    const { file } = configIn(QUEUE_CONFIG);
    const { code, stderr } = await run('search', '-c', file, '--queue', 'redis://127.0.0.1:1');
    expect(code).toBe(2);
    expect(stderr).toMatch(/GRAFT_QUEUE_UNREACHABLE: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .* at --queue\. Start a Redis server there/);
    const bad = await run('worker', '--queue', 'http://example.org');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/The queue URL "http:\/\/example\.org" is not a redis:\/\/ URL/);
  });
});
