import { existsSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

/**
 * The TypeScript example is what a user of the published packages writes: it compiles against the built
 * declarations (strict, nodenext) and runs against the built JavaScript, so `npm run build` comes first
 * (as `npm test` does).
 */
describe('examples/api/train-and-compare.ts', () => {
  it('compiles strict under nodenext and runs: training events, a trained run reopened, a comparison', () => {
    expect(existsSync(join(root, 'apps/cli/dist/index.d.ts')), 'build first: npm run build').toBe(true);
    const tsc = spawnSync(bin('tsc'), ['-p', join(root, 'examples/api/tsconfig.json')], { encoding: 'utf8', timeout: 300_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const out = mkdtempSync(join(tmpdir(), 'graft-api-test-'));
    const ran = spawnSync(bin('tsx'), [join(root, 'examples/api/train-and-compare.ts'), out], { encoding: 'utf8', timeout: 300_000 });
    expect(ran.status, ran.stderr).toBe(0);
    const result = JSON.parse(ran.stdout);
    expect(result.losses).toHaveLength(3);
    expect(result.losses[2]).toBeLessThan(result.losses[0]);
    expect(result.evaluated).toEqual(result.final);
    expect(result.predicted[0].predictions).toHaveLength(2);
    expect(result.compared.map((r: { strategy: string }) => r.strategy)).toEqual(['scratch', 'fine-tune']);
    expect(existsSync(join(out, 'compare', 'compare', 'fine-tune', 'seed-3', 'result.json'))).toBe(true);
  });
});
