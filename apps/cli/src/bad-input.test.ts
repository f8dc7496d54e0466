import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './test-utils/run-cli.js';

const run = runCli;

afterEach(() => vi.restoreAllMocks());

/** The test fixtures plugin by path, a JavaScript file (see test-utils/fixtures-plugin.mjs). */
const fixturesPlugin = resolve(__dirname, 'test-utils/fixtures-plugin.mjs');

const tiny = (extra = '') =>
  `plugins: [${JSON.stringify(fixturesPlugin)}]\nsource: { use: testing/tiny-conv, seed: 1 }\nbackend: cpu\ntasks: [{ name: strokes, data: { use: testing/strokes, train: 32, test: 16 } }]\nstages: [{ use: fine-tune, epochs: 1, lr: 0.01, batchSize: 16 }]\n${extra}`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'graft-bad-'));
}

describe('bad input is a clear GRAFT_ error with exit 2, never "a bug in Graft"', () => {
  it('a config path that is a folder', async () => {
    const dir = tempDir();
    const { code, stderr } = await run('train', '-c', dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`GRAFT_CONFIG_NOT_FOUND: "${dir}" is a folder, not a config file.`);
  });

  it('a run name that would escape runs/, or is too long', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), `name: ../../x\n${tiny()}`);
    const escape = await run('train', '-c', join(dir, 'a.yaml'));
    expect(escape.code).toBe(2);
    expect(escape.stderr).toMatch(/GRAFT_CONFIG_INVALID: .*name.*Run names start with a letter or digit/s);
    writeFileSync(join(dir, 'b.yaml'), `name: ${'n'.repeat(300)}\n${tiny()}`);
    const long = await run('train', '-c', join(dir, 'b.yaml'));
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('Run names have at most 100 characters');
  });

  it('an output folder the system refuses (a file where the folder belongs)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'a file');
    writeFileSync(join(dir, 'c.yaml'), tiny('output: { dir: blocker/run }\n'));
    const { code, stderr } = await run('train', '-c', join(dir, 'c.yaml'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/GRAFT_FILE_ACCESS: Could not .*blocker/);
    expect(stderr).not.toContain('bug in Graft');
  });

  it('a config over 1 MiB, nested too deep, or with too many YAML aliases is refused before parsing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.yaml'), `${tiny()}# ${'x'.repeat(1024 * 1024)}\n`);
    const big = await run('train', '-c', join(dir, 'big.yaml'));
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/GRAFT_CONFIG_PARSE: .*big\.yaml is \d+ bytes, over the 1048576-byte limit/);
    writeFileSync(join(dir, 'deep.json'), `${'['.repeat(5000)}${']'.repeat(5000)}`);
    const deep = await run('train', '-c', join(dir, 'deep.json'));
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/GRAFT_CONFIG_PARSE: .*deep\.json nests 65 levels deep/);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)];
    writeFileSync(join(dir, 'laughs.yaml'), `${laughs.join('\n')}\n`);
    const alias = await run('train', '-c', join(dir, 'laughs.yaml'));
    expect(alias.code).toBe(2);
    expect(alias.stderr).toMatch(/GRAFT_CONFIG_PARSE: .*laughs\.yaml is not valid YAML/);
  });

  it('cross-validation with early stopping is refused', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.yaml'), tiny().replace('batchSize: 16 }', 'batchSize: 16, earlyStopping: { patience: 1 } }'));
    const { code, stderr } = await run('compare', '-c', join(dir, 'f.yaml'), '--strategies', 'config', '--folds', '2');
    expect(code).toBe(2);
    expect(stderr).toContain('GRAFT_USAGE: Cross-validation (folds) cannot be combined with early stopping, which "config" use.');
  });
});

describe('graft schema | head', () => {
  it('exits 0 quietly when the reader closes the pipe early (EPIPE)', () => {
    const bin = resolve(__dirname, 'bin.ts');
    const tsx = resolve(__dirname, '../../../node_modules/.bin/tsx');
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `"${tsx}" --conditions=@graft/source "${bin}" schema | head -c 10 >/dev/null`], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.status).toBe(0);
  });
});
