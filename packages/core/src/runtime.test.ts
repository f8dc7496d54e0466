import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from './runtime.js';

const LOCAL_PLUGIN = `
import { z } from 'zod';
const none = z.strictObject({});
export default {
  meta: { name: 'local-plugin', version: '0.0.1', graft: '*' },
  providers: [{ name: 'local/clock', description: 'a fixed clock', service: 'clock', create: () => ({ now: () => 1234 }) }],
  sources: [{ name: 'local/source', description: 'a source for this test', options: none, load: () => { throw new Error('not loaded here'); } }],
  datasets: [{ name: 'local/data', description: 'a dataset for this test', options: none, load: () => { throw new Error('not loaded here'); } }],
  strategies: [{ name: 'local/strategy', description: 'a strategy for this test', options: none, setup() {} }],
};
`;

describe('createRuntime', () => {
  it('adds the plugins a config names to the runtime’s own, never replacing them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-runtime-'));
    writeFileSync(join(dir, 'plugin.mjs'), LOCAL_PLUGIN);
    writeFileSync(
      join(dir, 'graft.yaml'),
      ['plugins: [./plugin.mjs]', 'backend: cpu', 'source: { use: local/source }', 'tasks: [{ name: t, data: { use: local/data } }]', 'stages: [{ use: local/strategy }]'].join('\n'),
    );
    const runtime = createRuntime();
    const run = await runtime.load(join(dir, 'graft.yaml'));
    expect(run.plan.backend).toBe('cpu');
    expect([...run.registry.backends.keys()]).toContain('cpu');
    expect(run.registry.plugins.map((p) => p.name)).toEqual(['@graft/core', 'local-plugin']);
    expect(runtime.registry.plugins.map((p) => p.name)).toEqual(['@graft/core']);
    expect(run.env.clock.now()).toBe(1234);
  });
});
