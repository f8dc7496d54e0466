import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exports as resolveExports, legacy as resolveLegacy } from 'resolve.exports';
import semver from 'semver';
import { GraftError } from '../errors.js';
import { GRAFT_VERSION } from '../version.js';
import { assertSingleCore } from './core-copies.js';
import { CONTRIBUTIONS, type ContributionSpec, type FieldRule, type GraftPlugin, type PluginList } from './define.js';
import type { Registry } from './registry.js';

/** Imports a module by specifier; the CLI passes one that also understands `.ts` files. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const nativeImport: ModuleImporter = (specifier) => import(specifier);

/** Names a third-party plugin's contributions must have: `scope/name`. First-party (`@graft/…`) plugins keep theirs. */
const SCOPED_NAME = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i;

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

function invalid(plugin: string, field: string, problem: string, fix: string): GraftError {
  return new GraftError('GRAFT_PLUGIN_INVALID', { what: `Plugin "${plugin}": ${field} ${problem}`, fix });
}

/** Check the module exported a plugin whose meta and contributions have the right shape. */
function checkPlugin(value: unknown, from: string): asserts value is GraftPlugin {
  const p = value as Partial<GraftPlugin> | undefined;
  if (!p || typeof p !== 'object' || !p.meta || typeof p.meta !== 'object') {
    throw new GraftError('GRAFT_PLUGIN_INVALID', {
      what: `"${from}" does not export a plugin`,
      why: "A plugin module default-exports `definePlugin({ meta: { name, version, graft: '^0.1.0' }, ... })`",
      fix: 'Export the plugin object as the default export',
    });
  }
  const meta = p.meta as unknown as Record<string, unknown>;
  const name = typeof meta.name === 'string' && meta.name ? meta.name : from;
  for (const field of ['name', 'version', 'graft'] as const) {
    if (typeof meta[field] !== 'string' || meta[field] === '') {
      throw invalid(name, `meta.${field}`, 'must be a non-empty string', "Set meta: { name, version, graft: '^0.1.0' } (graft is the semver range of @graft/core it supports)");
    }
  }
  if (semver.validRange(meta.graft as string) === null) {
    throw invalid(name, 'meta.graft', `"${String(meta.graft)}" is not a semver range`, "Write a range such as '^0.1.0'");
  }
  const deps = meta.dependencies;
  if (deps !== undefined && (typeof deps !== 'object' || deps === null || Object.values(deps).some((r) => typeof r !== 'string' || semver.validRange(r) === null))) {
    throw invalid(name, 'meta.dependencies', 'must map plugin names to semver ranges', "Write dependencies: { '@graft/vision': '^0.1.0' }");
  }
  const firstParty = name.startsWith('@graft/');
  for (const spec of CONTRIBUTIONS) {
    const items = (p as Record<string, unknown>)[spec.kind];
    if (items === undefined) continue;
    if (!Array.isArray(items)) throw invalid(name, spec.kind, 'must be an array', `List the plugin's ${spec.kind} in an array`);
    items.forEach((item: unknown, i) => checkContribution(name, spec, item, `${spec.kind}[${i}]`, firstParty));
  }
}

function checkContribution(plugin: string, spec: ContributionSpec, item: unknown, where: string, firstParty: boolean): void {
  if (!item || typeof item !== 'object') throw invalid(plugin, where, `must be a ${spec.label.toLowerCase()} object`, 'Remove the entry or give it the documented shape');
  const record = item as Record<string, unknown>;
  const label = typeof record.name === 'string' ? `${where} ("${record.name}")` : where;
  for (const [field, rule] of Object.entries(spec.fields)) {
    if (!fieldOk(record[field], rule)) {
      throw invalid(plugin, `${label}.${field}`, `must be ${ruleText(rule)}`, `Give the ${spec.label.toLowerCase()} its \`${field}\``);
    }
  }
  const itemName = record.name as string;
  if (!firstParty && !SCOPED_NAME.test(itemName)) {
    throw invalid(plugin, `${label}.name`, 'must be scoped as `scope/name`', `Rename it "${plugin.replace(/^@/, '').split('/')[0]}/${itemName}", so it cannot clash with Graft's own or another plugin's names`);
  }
}

function fieldOk(value: unknown, rule: FieldRule): boolean {
  switch (rule) {
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'function':
      return typeof value === 'function';
    case 'function?':
      return value === undefined || typeof value === 'function';
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'schema':
      return typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';
  }
}

function ruleText(rule: FieldRule): string {
  return { string: 'a non-empty string', number: 'a finite number', function: 'a function', 'function?': 'a function when given', object: 'an object', schema: 'a zod schema (z.strictObject({...}))' }[rule];
}

/**
 * Check shapes, Graft version ranges, plugin dependencies and name clashes, then index every contribution
 * by kind and name.
 */
export function buildRegistry(list: PluginList): Registry {
  assertSingleCore();
  const plugins = list.filter((p): p is GraftPlugin => Boolean(p));
  const maps = Object.fromEntries(CONTRIBUTIONS.map((c) => [c.kind, new Map<string, unknown>()]));
  const owners = new Map<string, string>();
  const loaded = new Map<string, string>();
  const services = new Map<string, string>();
  for (const plugin of plugins) {
    checkPlugin(plugin, plugin.meta?.name ?? 'a plugin');
    const { name, graft } = plugin.meta;
    if (!semver.satisfies(GRAFT_VERSION, graft, { includePrerelease: true })) {
      throw new GraftError('GRAFT_PLUGIN_API', {
        what: `Plugin "${name}" supports Graft ${graft}, but this is @graft/core ${GRAFT_VERSION}`,
        fix: semver.gtr(GRAFT_VERSION, graft) ? `Upgrade "${name}" to a version supporting Graft ${GRAFT_VERSION}` : `Upgrade @graft/core and @graft/cli to a version in ${graft}`,
      });
    }
    if (loaded.has(name)) {
      throw new GraftError('GRAFT_PLUGIN_DUPLICATE', { what: `Plugin "${name}" is loaded twice`, fix: 'List each plugin once under `plugins` (first-party plugins are loaded already)' });
    }
    loaded.set(name, plugin.meta.version);
    for (const spec of CONTRIBUTIONS) {
      for (const item of (plugin[spec.kind] ?? []) as readonly { name: string; service?: string }[]) {
        register(owners, maps[spec.kind]!, `${spec.kind}:${item.name}`, item, `${spec.label} "${item.name}"`, name);
        if (spec.kind === 'providers') register(services, new Map(), `service:${item.service}`, item, `A provider for the "${item.service}" service`, name);
      }
    }
  }
  for (const plugin of plugins) {
    for (const [dep, range] of Object.entries(plugin.meta.dependencies ?? {})) {
      const version = loaded.get(dep);
      if (version === undefined || !semver.satisfies(version, range, { includePrerelease: true })) {
        throw new GraftError('GRAFT_PLUGIN_DEPENDENCY', {
          what: `Plugin "${plugin.meta.name}" needs plugin "${dep}" ${range}, but ${version === undefined ? 'it is not loaded' : `${version} is loaded`}`,
          where: 'plugins',
          fix: `Install ${dep}@"${range}" and list it under \`plugins\` before "${plugin.meta.name}"`,
        });
      }
    }
  }
  return { plugins: plugins.map((p) => p.meta), owners, ...maps } as unknown as Registry;
}

function register(owners: Map<string, string>, map: Map<string, unknown>, key: string, item: unknown, label: string, plugin: string): void {
  const previous = owners.get(key);
  if (previous !== undefined) {
    throw new GraftError('GRAFT_PLUGIN_DUPLICATE', {
      what: `${label} is registered by both "${previous}" and "${plugin}"`,
      fix: 'Remove one of the two plugins, or rename the item in your own plugin',
    });
  }
  owners.set(key, plugin);
  map.set(key.slice(key.indexOf(':') + 1), item);
}
