import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraftError } from '../errors.js';
import type { GraftPlugin } from './define.js';

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

export { buildRegistry } from './build-registry.js';
