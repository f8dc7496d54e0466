import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exports as resolveExports, legacy as resolveLegacy } from 'resolve.exports';
import { GraftError } from '../errors.js';
import { GRAFT_VERSION } from '../version.js';
import { assertSingleCore } from './core-copies.js';
import type { GraftPlugin, PluginList } from './define.js';
import type { Registry } from './registry.js';
import { buildRegistry as buildRegistryFor, checkPlugin } from './build-registry.js';

/** Imports a module by specifier; the CLI passes one that also understands `.ts` files. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const nativeImport: ModuleImporter = (specifier) => import(specifier);

/** Names a third-party plugin's contributions must have: `scope/name`. First-party (`@graft/…`) plugins keep theirs. */

/**
 * Load the plugins a config names: npm package names, resolved as ES modules from the config's directory
 * (honouring `exports`), or paths relative to it. A module's default export (or its `plugin` export) must
 * be a plugin object; each is checked as it loads.
 */
export async function importPlugins(names: readonly string[], configDir: string, importer: ModuleImporter = nativeImport): Promise<GraftPlugin[]> {
  const plugins: GraftPlugin[] = [];
  for (const name of names) {
    const specifier = name.startsWith('.') || isAbsolute(name) ? resolvePluginFile(name, configDir) : resolvePluginPackage(name, configDir);
    let mod: unknown;
    try {
      mod = await importer(specifier);
    } catch (cause) {
      throw new GraftError('GRAFT_PLUGIN_LOAD', {
        what: `Plugin "${name}" failed to load`,
        why: cause instanceof Error ? cause.message : String(cause),
        where: 'plugins',
        fix: 'Fix the error in the plugin module (the message above is what it threw)',
        cause,
      });
    }
    const m = mod as { default?: unknown; plugin?: unknown } | undefined;
    const plugin = m?.default ?? m?.plugin;
    checkPlugin(plugin, name);
    plugins.push(plugin);
  }
  assertSingleCore();
  return plugins;
}

function resolvePluginFile(name: string, configDir: string): string {
  const path = resolve(configDir, name);
  if (!existsSync(path)) {
    throw new GraftError('GRAFT_PLUGIN_LOAD', { what: `Plugin file "${name}" does not exist`, where: `plugins (resolved to ${path})`, fix: 'Check the path; it is relative to the config file' });
  }
  return pathToFileURL(path).href;
}

/** `@scope/pkg/sub` → package `@scope/pkg`, subpath `./sub`. */
function splitSpecifier(name: string): { pkg: string; subpath: string } {
  const parts = name.split('/');
  const length = name.startsWith('@') ? 2 : 1;
  const rest = parts.slice(length).join('/');
  return { pkg: parts.slice(0, length).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/** Resolve a package the way Node's ESM loader does from the config's folder: node_modules upwards, then `exports` (import conditions). */
function resolvePluginPackage(name: string, configDir: string): string {
  const { pkg, subpath } = splitSpecifier(name);
  let packageDir: string | undefined;
  for (let dir = resolve(configDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', pkg, 'package.json'))) {
      packageDir = join(dir, 'node_modules', pkg);
      break;
    }
    if (dirname(dir) === dir) break;
  }
  if (!packageDir) {
    throw new GraftError('GRAFT_PLUGIN_LOAD', { what: `Plugin package "${pkg}" is not installed`, where: `plugins (searched node_modules from ${configDir} upwards)`, fix: `Install it next to the config: npm install ${pkg}` });
  }
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  let entry: string | undefined;
  try {
    entry = manifest.exports !== undefined ? resolveExports(manifest, subpath, { conditions: ['node', 'import'] })?.[0] : subpath === '.' ? (resolveLegacy(manifest) as string | undefined) ?? 'index.js' : subpath;
  } catch (cause) {
    throw new GraftError('GRAFT_PLUGIN_LOAD', {
      what: `Plugin package "${pkg}" exports no "${subpath}" entry for import`,
      where: `plugins (${packageDir})`,
      fix: 'Name an entry the package exports, or ask its author to add an "import" or "default" condition to its `exports`',
      cause,
    });
  }
  const path = join(packageDir, entry ?? 'index.js');
  if (!existsSync(path)) {
    throw new GraftError('GRAFT_PLUGIN_LOAD', { what: `Plugin package "${pkg}" points at ${path}, which does not exist`, where: 'plugins', fix: 'Build the plugin package (its dist/ is missing) or reinstall it' });
  }
  return pathToFileURL(path).href;
}

/** Check and index the plugins against this @graft/core: its version, and that it is the only copy loaded. */
export function buildRegistry(list: PluginList): Registry {
  assertSingleCore();
  return buildRegistryFor(list, GRAFT_VERSION);
}
