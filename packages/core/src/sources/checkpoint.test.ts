import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckpointMeta } from '../checkpoint/checkpoint.js';
import { writeCheckpointFile } from '../checkpoint/format.js';
import { nodeEnvironment } from '../env/node/index.js';
import type { SourceContext } from '../source.js';
import { checkpointSource } from './checkpoint.js';

/** A checkpoint whose config names `source` as what it was trained from. */
function checkpoint(path: string, source: Record<string, unknown>, configDir: string): void {
  const meta = { configHash: 'x', config: { source }, configDir, position: { stage: 0, epoch: 1, stageDone: true }, rng: 0, history: [], optimizer: {}, weighting: null, groups: [], tasks: [], savedAt: '' } satisfies CheckpointMeta;
  writeCheckpointFile(path, meta, new Map());
}

/** Nested sources load through the checkpoint source itself, as a session does. */
function context(dir: string): SourceContext {
  const ctx: SourceContext = {
    configDir: dir,
    seed: 1,
    log: nodeEnvironment().log,
    env: nodeEnvironment(),
    where: 'source',
    loadSource: (spec, configDir) => checkpointSource.load(checkpointSource.options.parse({ path: spec.path }), { ...ctx, configDir }),
  };
  return ctx;
}

describe('graft/checkpoint source chains', () => {
  it('refuses checkpoints that name each other as sources, naming the chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-ckpt-cycle-'));
    checkpoint(join(dir, 'a.graft'), { use: 'graft/checkpoint', path: 'b.graft' }, dir);
    checkpoint(join(dir, 'b.graft'), { use: 'graft/checkpoint', path: 'c.graft' }, dir);
    checkpoint(join(dir, 'c.graft'), { use: 'graft/checkpoint', path: './a.graft' }, dir);
    const e = await checkpointSource.load({ path: 'a.graft' }, context(dir)).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'GRAFT_CHECKPOINT_CORRUPT' });
    const chain = ['a', 'b', 'c', 'a'].map((n) => join(dir, `${n}.graft`)).join(' → ');
    expect((e as Error).message).toContain(`loops: ${chain}`);
  }, 10_000);

  it('refuses a checkpoint that names itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-ckpt-self-'));
    checkpoint(join(dir, 'a.graft'), { use: 'graft/checkpoint', path: 'a.graft' }, dir);
    await expect(checkpointSource.load({ path: 'a.graft' }, context(dir))).rejects.toThrow(/loops: .*a\.graft → .*a\.graft/);
  });
});
