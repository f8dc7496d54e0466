import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, fromObject } from '@graft/core/internal';
import { firstPartyPlugins } from '@graft/cli';
import { docConfigs } from './doc-configs.js';

const content = join(import.meta.dirname, '..', 'content');
const configs = docConfigs(content);
/** The CLI's runtime: first-party plugins only. The fixtures (`testing/…`) load because each config lists `@graft/testing`. */
const runtime = createRuntime({ plugins: firstPartyPlugins });
/** Inside the repository, so a config's `plugins: ['@graft/testing']` resolves from node_modules as it does for a user. */
const outputs = join(import.meta.dirname, '..', 'test-output');
mkdirSync(outputs, { recursive: true });
const dir = mkdtempSync(join(outputs, 'configs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fragment showing only `stages:` is checked inside the smallest complete config. */
const base = { backend: 'cpu', plugins: ['@graft/testing'], source: { use: 'testing/tiny-conv' }, tasks: [{ name: 't', data: { use: 'testing/strokes' } }] };

describe('configs shown in the docs', () => {
  it('finds the configs, including short ones marked to run', () => {
    expect(configs.length).toBeGreaterThanOrEqual(6);
    expect(configs.filter((c) => c.run).length).toBeGreaterThanOrEqual(3);
  });

  it.each(configs.map((c) => [c.where, c] as const))('%s is valid against the real schema and registry', async (_, c) => {
    const value = 'source' in c.value ? c.value : { ...base, ...c.value };
    await expect(runtime.load(fromObject(value, c.where, dir))).resolves.toBeDefined();
  });

  it.each(configs.filter((c) => c.run).map((c) => [c.where, c] as const))('%s trains, and its loss falls', async (_, c) => {
    const run = await runtime.load(fromObject({ ...c.value, name: `docs-${c.where.replace(/\W+/g, '-')}` }, c.where, dir));
    const { history } = await run.train();
    expect(history.length).toBeGreaterThan(1);
    expect(history.at(-1)!.loss).toBeLessThan(history[0]!.loss);
  });
});
