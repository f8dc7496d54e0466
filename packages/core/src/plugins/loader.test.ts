import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { GraftError } from '../errors.js';
import { corePlugin } from '../tasks/plugin.js';
import { GRAFT_VERSION } from '../version.js';
import type { GraftPlugin } from './define.js';
import { buildRegistry, importPlugins } from './loader.js';

const none = z.strictObject({});
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, version: '1.0.0', graft: '*', ...extra });
const strategy = (name: string) => ({ name, description: 'a strategy for this test', options: none, setup() {} });
const errorOf = (fn: () => unknown): GraftError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof GraftError) return e;
    throw e;
  }
  throw new Error('expected a GraftError');
};

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'graft-plugin-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('plugin metadata', () => {
  it('refuses a plugin whose Graft range excludes this core, naming both and the fix', () => {
    const e = errorOf(() => buildRegistry([corePlugin, { meta: meta('acme/future', { graft: '>=99.0.0' }) }]));
    expect(e.code).toBe('GRAFT_PLUGIN_API');
    expect(e.message).toBe(`GRAFT_PLUGIN_API: Plugin "acme/future" supports Graft >=99.0.0, but this is @graft/core ${GRAFT_VERSION}. Upgrade @graft/core and @graft/cli to a version in >=99.0.0.`);
    expect(e.exitCode).toBe(2);
    expect(errorOf(() => buildRegistry([corePlugin, { meta: meta('acme/old', { graft: '<0.0.1' }) }])).message).toMatch(/Upgrade "acme\/old" to a version supporting Graft/);
  });

  it('refuses a missing or out-of-range plugin dependency', () => {
    const needsVision = { meta: meta('acme/needs', { dependencies: { 'acme/base': '^2.0.0' } }) } as GraftPlugin;
    expect(errorOf(() => buildRegistry([corePlugin, needsVision])).message).toBe(
      'GRAFT_PLUGIN_DEPENDENCY: Plugin "acme/needs" needs plugin "acme/base" ^2.0.0, but it is not loaded at plugins. Install acme/base@"^2.0.0" and list it under `plugins` before "acme/needs".',
    );
    expect(errorOf(() => buildRegistry([corePlugin, { meta: meta('acme/base') }, needsVision])).message).toMatch(/needs plugin "acme\/base" \^2\.0\.0, but 1\.0\.0 is loaded/);
    expect(buildRegistry([corePlugin, { meta: meta('acme/base', { version: '2.1.0' }) }, needsVision]).plugins.map((p) => p.name)).toEqual(['@graft/core', 'acme/base', 'acme/needs']);
  });

  it('checks each contribution’s shape, naming the plugin and the field', () => {
    const noSetup = { meta: meta('acme/p'), strategies: [{ name: 'acme/s', description: 'd', options: none }] } as unknown as GraftPlugin;
    expect(errorOf(() => buildRegistry([noSetup])).message).toBe('GRAFT_PLUGIN_INVALID: Plugin "acme/p": strategies[0] ("acme/s").setup must be a function. Give the strategy its `setup`.');
    const badSchema = { meta: meta('acme/p'), datasets: [{ name: 'acme/d', description: 'd', options: { path: 'string' }, load() {} }] } as unknown as GraftPlugin;
    expect(errorOf(() => buildRegistry([badSchema])).message).toMatch(/datasets\[0\] \("acme\/d"\)\.options must be a zod schema/);
    expect(errorOf(() => buildRegistry([{ meta: { name: 'acme/p', version: '1.0.0', graft: 'soon' } }])).message).toMatch(/meta\.graft "soon" is not a semver range/);
    expect(errorOf(() => buildRegistry([{ meta: { name: 'acme/p', version: '1.0.0', api: 1 } } as unknown as GraftPlugin])).message).toMatch(/meta\.graft must be a non-empty string/);
  });

  it('makes third-party names `scope/name`, while first-party plugins keep theirs', () => {
    const e = errorOf(() => buildRegistry([{ meta: meta('@acme/graft-extra'), strategies: [strategy('fine-tune')] }]));
    expect(e.message).toBe('GRAFT_PLUGIN_INVALID: Plugin "@acme/graft-extra": strategies[0] ("fine-tune").name must be scoped as `scope/name`. Rename it "acme/fine-tune", so it cannot clash with Graft\'s own or another plugin\'s names.');
    expect([...buildRegistry([{ meta: meta('@graft/mine'), strategies: [strategy('fine-tune')] }]).strategies.keys()]).toEqual(['fine-tune']);
  });

  it('refuses two plugins registering the same name, and two providers for one service', () => {
    const a = { meta: meta('@graft/a'), backends: [corePlugin.backends[0]!] };
    expect(errorOf(() => buildRegistry([corePlugin, a])).message).toBe(
      'GRAFT_PLUGIN_DUPLICATE: Backend "cpu" is registered by both "@graft/core" and "@graft/a". Remove one of the two plugins, or rename the item in your own plugin.',
    );
    const clock = (name: string) => ({ name, description: 'a fixed clock', service: 'clock' as const, create: () => ({ now: () => 0 }) });
    expect(errorOf(() => buildRegistry([{ meta: meta('acme/x'), providers: [clock('acme/c1')] }, { meta: meta('acme/y'), providers: [clock('acme/c2')] }])).message).toMatch(
      /A provider for the "clock" service is registered by both "acme\/x" and "acme\/y"/,
    );
  });

  it('drops falsy entries, so `cond && plugin` works', () => {
    expect(buildRegistry([corePlugin, false, undefined, null]).plugins.map((p) => p.name)).toEqual(['@graft/core']);
  });
});

describe('importing plugins named in a config', () => {
  const plugin = (name: string) => `export default { meta: { name: '${name}', version: '0.0.1', graft: '*' }, strategies: [] };`;

  it('imports a local module relative to the config and rejects a module without a plugin', async () => {
    const dir = tempDir({ 'good.mjs': plugin('local'), 'bad.mjs': 'export const x = 1;', 'throws.mjs': "throw new Error('boom at import');" });
    const [loaded] = await importPlugins(['./good.mjs'], dir);
    expect(loaded!.meta.name).toBe('local');
    await expect(importPlugins(['./bad.mjs'], dir)).rejects.toThrow(/^GRAFT_PLUGIN_INVALID: "\.\/bad\.mjs" does not export a plugin\./);
    await expect(importPlugins(['./missing.mjs'], dir)).rejects.toThrow(/^GRAFT_PLUGIN_LOAD: Plugin file "\.\/missing\.mjs" does not exist/);
    const thrown = await importPlugins(['./throws.mjs'], dir).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(GraftError);
    expect((thrown as GraftError).message).toMatch(/^GRAFT_PLUGIN_LOAD: Plugin "\.\/throws\.mjs" failed to load at plugins\. boom at import\./);
    expect((thrown as GraftError).exitCode).toBe(2);
  });

  it('resolves packages as ES modules from the config’s folder upwards, honouring an import-only `exports`', async () => {
    const dir = tempDir({
      'node_modules/@acme/graft-esm/package.json': JSON.stringify({ name: '@acme/graft-esm', type: 'module', exports: { '.': { import: './dist/index.js' }, './extra': { import: './dist/extra.js' } } }),
      'node_modules/@acme/graft-esm/dist/index.js': plugin('@acme/graft-esm'),
      'node_modules/@acme/graft-esm/dist/extra.js': plugin('@acme/graft-esm-extra'),
      'node_modules/graft-cjs-only/package.json': JSON.stringify({ name: 'graft-cjs-only', exports: { '.': { require: './index.cjs' } } }),
      'node_modules/graft-main/package.json': JSON.stringify({ name: 'graft-main', type: 'module', main: 'lib/main.js' }),
      'node_modules/graft-main/lib/main.js': plugin('graft-main'),
      'project/configs/.keep': '',
    });
    const configDir = join(dir, 'project/configs');
    const loaded = await importPlugins(['@acme/graft-esm', '@acme/graft-esm/extra', 'graft-main'], configDir);
    expect(loaded.map((p) => p.meta.name)).toEqual(['@acme/graft-esm', '@acme/graft-esm-extra', 'graft-main']);
    await expect(importPlugins(['graft-cjs-only'], configDir)).rejects.toThrow(/^GRAFT_PLUGIN_LOAD: Plugin package "graft-cjs-only" exports no "\." entry for import/);
    await expect(importPlugins(['graft-plugin-not-installed'], configDir)).rejects.toThrow(/^GRAFT_PLUGIN_LOAD: Plugin package "graft-plugin-not-installed" is not installed.*npm install graft-plugin-not-installed/);
  });
});

describe('a second copy of @graft/core', () => {
  const copies = (globalThis as Record<symbol, Map<string, string>>)[Symbol.for('graft.core.copies')]!;
  const coreRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = mkdtempSync(join(tmpdir(), 'graft-core-copy-'));
  const copy = join(dir, 'core-copy');
  afterAll(() => void copies.delete(copy));

  it('is refused with both paths and the fix, and its errors are still recognised as GraftErrors', async () => {
    cpSync(join(coreRoot, 'package.json'), join(copy, 'package.json'));
    cpSync(join(coreRoot, 'dist'), join(copy, 'dist'), { recursive: true });
    symlinkSync(resolve(coreRoot, '../../node_modules'), join(copy, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'linked-plugin.mjs'),
      `import { definePlugin, GraftError } from ${JSON.stringify(pathToFileURL(join(copy, 'dist/index.js')).href)};
export const foreignError = new GraftError('GRAFT_USAGE', { what: 'from the other copy' });
export default definePlugin({ meta: { name: 'acme/linked', version: '1.0.0', graft: '*' } });`,
    );
    const result = await importPlugins(['./linked-plugin.mjs'], dir).catch((e: unknown) => e);
    expect(result).toBeInstanceOf(GraftError);
    const e = result as GraftError;
    expect(e.code).toBe('GRAFT_CORE_DUPLICATE');
    expect(e.message).toContain(coreRoot);
    expect(e.message).toContain(copy);
    expect(e.message).toMatch(/peerDependency of the plugin .*npm dedupe/);
    const { foreignError } = (await import(pathToFileURL(join(dir, 'linked-plugin.mjs')).href)) as { foreignError: unknown };
    expect(foreignError).toBeInstanceOf(GraftError);
    expect(Object.getPrototypeOf(foreignError)).not.toBe(GraftError.prototype);
  }, 60_000);
});
