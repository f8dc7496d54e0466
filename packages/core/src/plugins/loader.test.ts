import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corePlugin } from '../tasks/plugin.js';
import { buildRegistry, importPlugins } from './loader.js';

describe('plugin loading', () => {
  it('refuses a plugin written for another API version, naming both versions and the fix', () => {
    expect(() => buildRegistry([corePlugin, { meta: { name: 'graft-plugin-future', version: '2.0.0', api: 2 } }])).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_PLUGIN_API: Plugin "graft-plugin-future" targets plugin API 2, but this Graft implements API 1. Upgrade @graft/cli and @graft/core.]`,
    );
  });

  it('refuses two plugins registering the same name', () => {
    const a = { meta: { name: 'a', version: '1', api: 1 }, backends: [corePlugin.backends[0]] };
    expect(() => buildRegistry([corePlugin, a])).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_PLUGIN_DUPLICATE: Backend "cpu" is registered by both "@graft/core" and "a". Remove one of the two plugins, or rename the item in your own plugin.]`,
    );
  });

  it('drops falsy entries, so `cond && plugin` works', () => {
    expect(buildRegistry([corePlugin, false, undefined, null]).plugins.map((p) => p.name)).toEqual(['@graft/core']);
  });

  it('imports a local plugin module relative to the config and rejects a module without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-plugin-'));
    writeFileSync(join(dir, 'good.mjs'), "export default { meta: { name: 'local', version: '0.0.1', api: 1 }, strategies: [] };");
    writeFileSync(join(dir, 'bad.mjs'), 'export const x = 1;');
    const [plugin] = await importPlugins(['./good.mjs'], dir);
    expect(plugin!.meta.name).toBe('local');
    await expect(importPlugins(['./bad.mjs'], dir)).rejects.toThrow(/^GRAFT_PLUGIN_INVALID: "\.\/bad\.mjs" does not export a plugin\./);
    await expect(importPlugins(['./missing.mjs'], dir)).rejects.toThrow(/^GRAFT_PLUGIN_LOAD: Plugin file "\.\/missing\.mjs" does not exist/);
    await expect(importPlugins(['graft-plugin-not-installed'], dir)).rejects.toThrow(/GRAFT_PLUGIN_LOAD: Plugin package "graft-plugin-not-installed" is not installed/);
  });
});
