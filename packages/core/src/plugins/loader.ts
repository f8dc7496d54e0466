import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraftError } from '../errors.js';
import { CONTRIBUTION_KINDS, PLUGIN_API_VERSION, type GraftPlugin, type PluginList } from './define.js';
import type { Registry } from './registry.js';

/** Imports a module by specifier; the CLI passes one that also understands `.ts` files. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const nativeImport: ModuleImporter = (specifier) => import(specifier);

/**
 * Load the plugins a config names: npm package names (resolved from the config's directory) or paths
 * relative to it. A module's default export (or its `plugin` export) must be a plugin object.
 */
export async function importPlugins(names: readonly string[], configDir: string, importer: ModuleImporter = nativeImport): Promise<GraftPlugin[]> {
  const plugins: GraftPlugin[] = [];
  for (const name of names) {
    const isPath = name.startsWith('.') || isAbsolute(name);
    let specifier: string;
    if (isPath) {
      const path = resolve(configDir, name);
      if (!existsSync(path)) {
        throw new GraftError('GRAFT_PLUGIN_LOAD', { what: `Plugin file "${name}" does not exist`, where: `plugins (resolved to ${path})`, fix: 'Check the path; it is relative to the config file' });
      }
      specifier = pathToFileURL(path).href;
    } else {
      try {
        specifier = pathToFileURL(createRequire(resolve(configDir, 'graft.config.js')).resolve(name)).href;
      } catch (cause) {
        throw new GraftError('GRAFT_PLUGIN_LOAD', { what: `Plugin package "${name}" is not installed`, where: 'plugins', fix: `Install it next to the config: npm install ${name}`, cause });
      }
    }
    let mod: unknown;
    try {
      mod = await importer(specifier);
    } catch (cause) {
      throw new GraftError('GRAFT_PLUGIN_LOAD', {
        what: `Plugin "${name}" failed to load`,
        why: cause instanceof Error ? cause.message : String(cause),
        where: 'plugins',
        fix: 'Fix the error in the plugin module',
        cause,
      });
    }
    const m = mod as { default?: unknown; plugin?: unknown };
    plugins.push(checkPluginShape(m.default ?? m.plugin, name));
  }
  return plugins;
}

function checkPluginShape(value: unknown, from: string): GraftPlugin {
  const p = value as Partial<GraftPlugin> | undefined;
  if (!p || typeof p !== 'object' || !p.meta || typeof p.meta.name !== 'string' || typeof p.meta.api !== 'number') {
    throw new GraftError('GRAFT_PLUGIN_INVALID', {
      what: `"${from}" does not export a plugin`,
      why: 'A plugin module default-exports `definePlugin({ meta: { name, version, api }, ... })`',
      fix: 'Export the plugin object as the default export',
    });
  }
  return p as GraftPlugin;
}

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
  return {
    sources: 'Source', strategies: 'Strategy', backends: 'Backend', tasks: 'Task type', datasets: 'Dataset', weightings: 'Weighting',
    exporters: 'Exporter',
    comparePresets: 'Compare preset',
  }[kind] ?? kind;
}
