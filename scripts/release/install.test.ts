// The packages as a stranger gets them: pack every package, install the tarballs into a fresh app outside
// the monorepo (no workspace links; third-party dependencies from the npm registry), scaffold a plugin with
// create-graft-plugin, run its contract tests, train a config that names it with the installed `graft`, and
// compile (tsc, strict, nodenext) and run the TypeScript API example against the installed packages.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { expect, it, onTestFinished } from 'vitest';
// A plain ES module, shared with the release command.
import { packAll, ROOT } from './packages.mjs';

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', FORCE_COLOR: '0' } });

it('installs from tarballs, scaffolds a plugin whose contract tests pass, and trains a config naming it', () => {
  const work = mkdtempSync(join(tmpdir(), 'graft-install-'));
  onTestFinished(() => rmSync(work, { recursive: true, force: true }));
  const tarballs = packAll(join(work, 'tarballs')) as Map<string, string>;
  const app = join(work, 'app');
  mkdirSync(app);
  // The scaffolder, run from its unpacked tarball as `npm create` would.
  run('tar', ['-xzf', tarballs.get('create-graft-plugin')!, '-C', work], work);
  expect(run('node', [join(work, 'package/bin/create-graft-plugin.mjs'), 'my-plugin', '--name', '@acme/graft-blobs'], app)).toContain('strategy acme/top-half');

  const rootDev = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;
  const file = (name: string) => `file:${tarballs.get(name)}`;
  const overrides = Object.fromEntries([...tarballs.keys()].filter((n) => n.startsWith('@graft/')).map((n) => [n, file(n)]));
  const manifest = {
    name: 'graft-install-test',
    private: true,
    type: 'module',
    dependencies: { '@graft/cli': file('@graft/cli'), '@graft/testing': file('@graft/testing'), '@acme/graft-blobs': 'file:./my-plugin', vitest: '^4.1.0' },
    // What a TypeScript app adds to compile the API example: the monorepo's own compiler and Node types.
    devDependencies: { typescript: rootDev.typescript, '@types/node': rootDev['@types/node'] },
    overrides,
  };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  // The project's own npm setting: onnxruntime-node's install script downloads from nuget, which CI cannot reach.
  cpSync(join(ROOT, '.npmrc'), join(app, '.npmrc'));
  run('npm', ['install', '--no-audit', '--no-fund'], app);

  const contracts = run(join(app, 'node_modules/.bin/vitest'), ['run', '--root', 'my-plugin'], app);
  expect(stripVTControlCharacters(contracts)).toMatch(/Tests\s+10 passed/);

  writeFileSync(
    join(app, 'graft.yaml'),
    ["plugins: ['@acme/graft-blobs']", 'backend: cpu', 'seed: 1', 'source: { use: acme/mlp }', 'tasks: [{ name: blobs, data: { use: acme/blobs } }]', 'stages: [{ use: acme/top-half, epochs: 4, lr: 0.05, batchSize: 16 }]'].join('\n'),
  );
  const result = JSON.parse(run(join(app, 'node_modules/.bin/graft'), ['train', '-c', 'graft.yaml', '--json'], app)) as { history: { loss: number }[]; final: { metrics: { blobs: { accuracy: number } } } };
  expect(result.history).toHaveLength(4);
  expect(result.history[3]!.loss).toBeLessThan(result.history[0]!.loss);
  expect(result.final.metrics.blobs.accuracy).toBeGreaterThan(0.6);
  // The CLI no longer drags the test runner or the fixtures in: vitest is here only because this app asked for it.
  const cli = JSON.parse(readFileSync(join(app, 'node_modules/@graft/cli/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(Object.keys(cli.dependencies)).not.toContain('@graft/testing');
  expect(Object.keys(cli.dependencies)).not.toContain('vitest');

  // The API example, compiled with the example's own compiler options (strict, nodenext) against the
  // installed tarballs' type declarations, emitted to JavaScript and run with plain node.
  const example = join(app, 'api-example');
  mkdirSync(example);
  cpSync(join(ROOT, 'examples/api/train-and-compare.ts'), join(example, 'train-and-compare.ts'));
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'examples/api/tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  expect(compilerOptions).toMatchObject({ strict: true, module: 'nodenext' });
  writeFileSync(join(example, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: false, outDir: 'dist' }, include: ['*.ts'] }));
  run(join(app, 'node_modules/.bin/tsc'), ['-p', example], app);
  const api = JSON.parse(run('node', [join(example, 'dist/train-and-compare.js'), join(work, 'api-out')], app)) as {
    losses: number[];
    final: unknown;
    evaluated: unknown;
    predicted: { predictions: unknown[] }[];
    compared: { strategy: string; runs: number }[];
  };
  expect(api.losses).toHaveLength(3);
  expect(api.losses[2]!).toBeLessThan(api.losses[0]!);
  expect(api.evaluated).toEqual(api.final);
  expect(api.predicted[0]!.predictions).toHaveLength(2);
  expect(api.compared.map((r) => r.strategy)).toEqual(['scratch', 'fine-tune']);
  expect(existsSync(join(work, 'api-out', 'compare', 'compare', 'fine-tune', 'seed-3', 'result.json'))).toBe(true);
}, 900_000);
