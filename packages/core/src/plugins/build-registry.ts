import semver from 'semver';
import { GraftError } from '../errors.js';
import { CONTRIBUTIONS, type ContributionSpec, type FieldRule, type GraftPlugin, type PluginList } from './define.js';
import type { Registry } from './registry.js';

/** Third-party contribution names are scoped (`acme/name`) so they never clash with Graft's or another plugin's. */
const SCOPED_NAME = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/i;

function invalid(plugin: string, field: string, problem: string, fix: string): GraftError {
  return new GraftError('GRAFT_PLUGIN_INVALID', { what: `Plugin "${plugin}": ${field} ${problem}`, fix });
}

/** Check the module exported a plugin whose meta and contributions have the right shape. */
export function checkPlugin(value: unknown, from: string): asserts value is GraftPlugin {
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
 * Check shapes, Graft version ranges (when `coreVersion` is given), plugin dependencies and name clashes, then
 * index every contribution by kind and name. No `node:` module: the browser runtime builds its registry here too.
 */
export function buildRegistry(list: PluginList, coreVersion?: string): Registry {
  const plugins = list.filter((p): p is GraftPlugin => Boolean(p));
  const maps = Object.fromEntries(CONTRIBUTIONS.map((c) => [c.kind, new Map<string, unknown>()]));
  const owners = new Map<string, string>();
  const loaded = new Map<string, string>();
  const services = new Map<string, string>();
  for (const plugin of plugins) {
    checkPlugin(plugin, plugin.meta?.name ?? 'a plugin');
    const { name, graft } = plugin.meta;
    // Node passes @graft/core's version; a bundled page has one core and may leave the range unchecked.
    if (coreVersion !== undefined && !semver.satisfies(coreVersion, graft, { includePrerelease: true })) {
      throw new GraftError('GRAFT_PLUGIN_API', {
        what: `Plugin "${name}" supports Graft ${graft}, but this is @graft/core ${coreVersion}`,
        fix: semver.gtr(coreVersion, graft) ? `Upgrade "${name}" to a version supporting Graft ${coreVersion}` : `Upgrade @graft/core and @graft/cli to a version in ${graft}`,
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
