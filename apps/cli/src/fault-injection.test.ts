import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointFile } from '@graft/core/internal';
import { runCli } from './test-utils/run-cli.js';

/**
 * Crash tests on the real CLI: a `graft train` child is killed with SIGKILL (`kill -9`) at a checkpoint
 * write (GRAFT_FAULT_AT, see packages/core/src/checkpoint/fault.ts) or stopped with SIGINT, then
 * `graft train --resume` must end with the weights and metrics of the uninterrupted run, bit for bit.
 * The killed runs are the built CLI (`npm test` builds first).
 */
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function graft(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

/** A tabular MLP with dropout, gradually unfrozen. */
function mlpConfig(dir: string): string {
  const rows = ['a,b,c,y'];
  for (let i = 0; i < 60; i++) {
    const [a, b, c] = [Math.sin(i * 1.7), Math.cos(i * 2.3), Math.sin(i * 0.7 + 1)];
    rows.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a + b > 0 ? 'up' : 'down'}`);
  }
  writeFileSync(join(dir, 'rows.csv'), `${rows.join('\n')}\n`);
  return `backend: cpu
seed: 5
source: { use: tabular/mlp, hidden: [16, 8], dropout: 0.3 }
tasks: [{ name: y, data: { use: tabular/csv, path: rows.csv, features: [a, b, c], targets: { y: { kind: classes } }, split: { validation: 0, test: 0.2, seed: 1 } } }]
stages:
  - { use: gradual-unfreeze, every: 1, lr: 0.01, batchSize: 8 }
  - { use: fine-tune, epochs: 1, lr: 0.01, batchSize: 8 }
`;
}

function setUp(body: (dir: string) => string): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'graft-fault-'));
  const config = join(dir, 'run.yaml');
  writeFileSync(config, `${body(dir)}output: { dir: ${join(dir, 'out')} }\n`);
  return { dir, config };
}

/** The run's final weights and metrics.jsonl lines (without timings). */
function outcome(dir: string) {
  const { tensors } = readCheckpointFile(join(dir, 'out', 'checkpoint.graft'));
  const weights = [...tensors].filter(([k]) => k.startsWith('w/')).map(([k, t]) => [k, Array.from(t.data)]);
  const lines = readFileSync(join(dir, 'out', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { seconds: _s, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
  return { weights, lines };
}

describe('crash safety of graft train (real child processes, a gradually unfrozen trunk with dropout)', () => {
  // The uninterrupted run and the resumes run in this process (the same CLI, a process start each fewer);
  // only the runs that are killed or interrupted are child processes.
  let expected: ReturnType<typeof outcome>;
  beforeAll(async () => {
    const straight = setUp(mlpConfig);
    expect(await runCli('train', '-c', straight.config)).toMatchObject({ code: 0 });
    expected = outcome(straight.dir);
  }, 120_000);

  it('kill -9 before, during and after a checkpoint write, then --resume, equals the uninterrupted run bit for bit', async () => {
    const faults = ['before-write:2', 'mid-write:3', 'after-rename:2'];
    const runs = await Promise.all(
      faults.map(async (fault) => {
        const run = setUp(mlpConfig);
        const killed = await graft(['train', '-c', run.config], { GRAFT_FAULT_AT: fault });
        expect(killed.signal, `${fault}: ${killed.stderr}`).toBe('SIGKILL');
        return run;
      }),
    );
    for (const [i, run] of runs.entries()) {
      const resumed = await runCli('train', '-c', run.config, '--resume');
      expect(resumed.code, `${faults[i]}: ${resumed.stderr}`).toBe(0);
      expect(outcome(run.dir), faults[i]).toEqual(expected);
      expect(readdirSync(join(run.dir, 'out')).filter((n) => n.includes('.tmp')), faults[i]).toEqual([]);
    }
  }, 240_000);

  it('SIGINT stops at the next step boundary, exits 130 saying how to resume, and --resume equals the uninterrupted run', async () => {
    const run = setUp(mlpConfig);
    // The signal arrives right after the 2nd checkpoint is in place, i.e. mid-run, from the process itself.
    const stopped = await graft(['train', '-c', run.config], { GRAFT_FAULT_AT: 'after-rename:2:SIGINT' });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/GRAFT_INTERRUPTED: Training stopped on request in stage 0 .*--resume/);
    expect(readCheckpointFile<{ partial?: { steps: number } }>(join(run.dir, 'out', 'checkpoint.graft')).meta.partial?.steps).toBe(1);
    expect(await runCli('train', '-c', run.config, '--resume')).toMatchObject({ code: 0 });
    expect(outcome(run.dir)).toEqual(expected);
  }, 240_000);
});
