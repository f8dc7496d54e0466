import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built CLI, run as a separate process (search, worker), as a user would. */
export const BIN = resolve(__dirname, '../../dist/bin.js');

/** The test fixtures plugin (tiny conv net, synthetic strokes), by path as a config names a local plugin (see fixtures-plugin.mjs). */
const FIXTURES = resolve(__dirname, 'fixtures-plugin.mjs');

/** A small search on the synthetic strokes task: 4 trials × 3 folds of a tiny conv net, seconds on cpu. */
export const SEARCH_CONFIG = `plugins: ['${FIXTURES}']
backend: cpu
seed: 3
source: { use: testing/tiny-conv, seed: 1 }
tasks: [{ name: strokes, data: { use: testing/strokes, train: 48, test: 32 } }]
stages:
  - { use: linear-probe, epochs: 1, lr: 0.03, batchSize: 16 }
  - { use: fine-tune, epochs: 2, lr: 0.01, batchSize: 16 }
search:
  trials: 4
  batch: 2
  startup: 2
  folds: 3
  space:
    stages[1].lr: { logUniform: [1.0e-3, 1.0e-1] }
    stages[0].use: [linear-probe, fine-tune]
`;

/** A config in a fresh folder (its study goes to `runs/search/search` there). */
export function configIn(body = SEARCH_CONFIG): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'graft-search-'));
  const file = join(dir, 'graft.yaml');
  writeFileSync(file, body);
  return { dir, file };
}

/** What must be equal between two studies of one config: everything but who ran a trial and how long it took. */
export function comparable(trials: { number: number; params: unknown; state: string; folds: number[]; mean: number | null }[]) {
  return trials.map(({ number, params, state, folds, mean }) => ({ number, params, state, folds, mean }));
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  return Object.assign(child, { output: () => output });
}

/** Resolves when the process has ended (a process killed by a signal has no exit code, only a signal code). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freePort(): Promise<number> {
  return new Promise((r, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => r(port));
    });
    server.on('error', reject);
  });
}

/**
 * A real Redis for the queue tests: the one `.ci/run` started (GRAFT_TEST_REDIS_URL), else a `redis-server`
 * (Debian's, installed by scripts/test-assets.sh) started here on a free loopback port. Missing Redis fails.
 */
export async function testRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.GRAFT_TEST_REDIS_URL) return { url: process.env.GRAFT_TEST_REDIS_URL, stop: async () => {} };
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d) => (log += String(d)));
  const failed = new Promise<never>((_, reject) =>
    server.once('error', (e) => reject(new Error(`redis-server could not start (${e.message}); scripts/test-assets.sh installs it from Debian (apt install redis-server)`))),
  );
  await Promise.race([until(() => log.includes('Ready to accept connections'), 10_000, 'redis-server to start'), failed]);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      server.kill('SIGTERM');
      await exited(server);
    },
  };
}
