import type { Backend } from '../backend.js';
import type { CallbackPlugin } from '../callback.js';
import type { ComparePreset } from '../compare/presets.js';
import type { DatasetProvider } from '../data/examples.js';
import type { Environment } from '../env/environment.js';
import type { Exporter } from '../run/exporter.js';
import type { PretrainedSource } from '../source.js';
import type { Strategy } from '../strategy.js';
import type { TaskType } from '../task.js';
import type { Weighting } from '../weighting.js';

/**
 * Who a plugin is and what it needs, after Fastify's `fastify-plugin` metadata: the Graft versions it
 * supports and the plugins it builds on, both as semver ranges checked when it loads.
 */
export interface PluginMeta {
  /** The plugin's name, its npm package name (`@acme/graft-audio`). */
  name: string;
  /** The plugin's version (read it from its package.json). */
  version: string;
  /** The `@graft/core` versions it works with, a semver range (`^0.1.0`). */
  graft: string;
  /** Plugins it needs loaded too, by plugin name, each with a semver range of versions. @default {} */
  dependencies?: Readonly<Record<string, string>>;
}

/** A service a plugin provides for the environment (an artifact store writing to S3, a test clock). */
export interface EnvironmentProvider<S extends keyof Environment = keyof Environment> {
  name: string;
  description: string;
  /** Which environment service it replaces. */
  service: S;
  /** Build the service; `env` holds the services bound before this one (the Node defaults, or the caller's). */
  create(env: Environment): Environment[S];
}

/**
 * What each contribution kind holds. Adding a kind is one entry here and one row in {@link CONTRIBUTIONS}.
 */
export interface Contributions {
  sources: PretrainedSource;
  strategies: Strategy;
  backends: Backend;
  /** Task kinds (`classification`, `regression`, ...). */
  tasks: TaskType;
  datasets: DatasetProvider;
  /** Multi-task weightings (`equal`, `uncertainty`, `pcgrad`, ...). */
  weightings: Weighting;
  /** Export formats for trained runs (`onnx`, `tfjs-layers`, ...): `graft export --format`. */
  exporters: Exporter;
  /** Named stage lists `graft compare --strategies` accepts (`gradual+discr+stlr`, `lp-ft`, ...). */
  comparePresets: ComparePreset;
  /** Environment services (artifact store, files, resources, clock, random, log) the plugin replaces. */
  providers: EnvironmentProvider;
  /** Training callbacks a config names in `callbacks: [{ use: name, ... }]`. */
  callbacks: CallbackPlugin;
}

export type ContributionKind = keyof Contributions;

/** Everything a plugin contributes. Names must be unique per kind across all loaded plugins. */
export type GraftPlugin = { meta: PluginMeta } & { [K in ContributionKind]?: readonly Contributions[K][] };

/** A list of plugins may hold falsy entries, so users can write `cond && plugin`. */
export type PluginList = ReadonlyArray<GraftPlugin | false | null | undefined>;

/** Identity with types: `export default definePlugin({ meta: { name, version, graft: '^0.1.0' }, ... })`. */
export function definePlugin<const P extends GraftPlugin>(plugin: P): P {
  return plugin;
}

/** What a field of a contribution must be. `schema` is a zod schema (it has `safeParse`). */
export type FieldRule = 'string' | 'number' | 'function' | 'object' | 'schema' | 'function?';

/** How the loader checks one contribution kind: its label in messages and the fields each item needs. */
export interface ContributionSpec {
  kind: ContributionKind;
  /** Singular, for messages: `Strategy "x" …`. */
  label: string;
  fields: Readonly<Record<string, FieldRule>>;
}

const described = { name: 'string', description: 'string' } as const;

/** Every contribution kind, checked when a plugin loads (shape, options schema, name). */
export const CONTRIBUTIONS: readonly ContributionSpec[] = [
  { kind: 'sources', label: 'Source', fields: { ...described, options: 'schema', load: 'function', preprocessing: 'function?' } },
  { kind: 'strategies', label: 'Strategy', fields: { ...described, options: 'schema', setup: 'function', onEpochStart: 'function?', defaultEpochs: 'function?' } },
  { kind: 'backends', label: 'Backend', fields: { ...described, tfBackend: 'string', priority: 'number', detect: 'function', init: 'function', capabilities: 'function' } },
  {
    kind: 'tasks',
    label: 'Task type',
    fields: { ...described, checkTarget: 'function', headSize: 'function', loss: 'function', evaluate: 'function', primaryMetric: 'object', describePrediction: 'function' },
  },
  { kind: 'datasets', label: 'Dataset', fields: { ...described, options: 'schema', load: 'function' } },
  { kind: 'weightings', label: 'Weighting', fields: { ...described, options: 'schema', create: 'function' } },
  { kind: 'exporters', label: 'Exporter', fields: { ...described, unsupported: 'function', export: 'function' } },
  { kind: 'comparePresets', label: 'Compare preset', fields: { ...described, stages: 'function' } },
  { kind: 'providers', label: 'Provider', fields: { ...described, service: 'string', create: 'function' } },
  { kind: 'callbacks', label: 'Callback', fields: { ...described, options: 'schema', create: 'function' } },
];

/** The contribution kinds, in registration order. */
export const CONTRIBUTION_KINDS: readonly ContributionKind[] = CONTRIBUTIONS.map((c) => c.kind);
