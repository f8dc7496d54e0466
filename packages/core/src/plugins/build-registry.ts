import { GraftError } from '../errors.js';
import { CONTRIBUTION_KINDS, PLUGIN_API_VERSION, type GraftPlugin, type PluginList } from './define.js';
import type { Registry } from './registry.js';

/** Check API versions and name clashes, then index every contribution by name. */
export function buildRegistry(list: PluginList): Registry {
  const plugins = list.filter((p): p is GraftPlugin => Boolean(p));
  const maps = Object.fromEntries(CONTRIBUTION_KINDS.map((k) => [k, new Map<string, unknown>()])) as Record<(typeof CONTRIBUTION_KINDS)[number], Map<string, unknown>>;
  const owners = new Map<string, string>();
  const seenPlugins = new Set<string>();
  for (const plugin of plugins) {
    const { name, api } = plugin.meta;
    if (api !== PLUGIN_API_VERSION) {
      throw new GraftError('GRAFT_PLUGIN_API', {
        what: `Plugin "${name}" targets plugin API ${api}, but this Graft implements API ${PLUGIN_API_VERSION}`,
        fix: api > PLUGIN_API_VERSION ? 'Upgrade @graft/cli and @graft/core' : `Upgrade the plugin to one written for API ${PLUGIN_API_VERSION}`,
      });
    }
    if (seenPlugins.has(name)) {
      throw new GraftError('GRAFT_PLUGIN_DUPLICATE', { what: `Plugin "${name}" is loaded twice`, fix: 'List each plugin once under `plugins`' });
    }
    seenPlugins.add(name);
    for (const kind of CONTRIBUTION_KINDS) {
      for (const item of (plugin[kind] ?? []) as { name: string }[]) {
        const ownerKey = `${kind}:${item.name}`;
        const previous = owners.get(ownerKey);
        if (previous !== undefined) {
          throw new GraftError('GRAFT_PLUGIN_DUPLICATE', {
            what: `${kindLabel(kind)} "${item.name}" is registered by both "${previous}" and "${name}"`,
            fix: 'Remove one of the two plugins, or rename the item in your own plugin',
          });
        }
        owners.set(ownerKey, name);
        maps[kind].set(item.name, item);
      }
    }
  }
  return { plugins: plugins.map((p) => p.meta), owners, ...maps } as unknown as Registry;
}

function kindLabel(kind: string): string {
  return { sources: 'Source', strategies: 'Strategy', backends: 'Backend', tasks: 'Task type', datasets: 'Dataset', weightings: 'Weighting' }[kind] ?? kind;
}
