import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { fromObject, resolvePlan, type ConfigFile, type RunPlan } from './config/load.js';
import type { Environment } from './env/environment.js';
import type { Logger } from './logger.js';
import type { GraftPlugin, PluginList } from './plugins/define.js';
import type { ModuleImporter } from './plugins/loader.js';
import type { Registry } from './plugins/registry.js';
import { openSession, trainSession, type Session, type TrainOptions, type TrainOutcome } from './session.js';
import { corePlugin } from './tasks/plugin.js';
import type { CompareResult } from './compare/compare.js';
import type { MultitaskRow } from './compare/multitask.js';
import { compareConfig, compareMultitaskConfig, type CompareRequest, type MultitaskCompareRequest } from './compare/request.js';
import type { CheckpointMeta } from './checkpoint/checkpoint.js';
import { decodeCheckpoint } from './checkpoint/codec.js';
import { checkpointNotFound } from './checkpoint/not-found.js';
import { CHECKPOINT_FILE, checkpointIn } from './run/checkpoint-path.js';
import { trainedRun, type TrainedRun } from './run/trained-run.js';
import { applyTrainedRunOverrides, type TrainedRunOverrides } from './run/overrides.js';

/**
 * Injection tokens of the environment services, the parts that differ between Node, the browser and tests.
 * Core binds Node defaults in the runtime's container; `createRuntime({ environment })` replaces any of
 * them, and a plugin's `providers` contribution rebinds one (in the runtime's container when passed to
 * `createRuntime`, in a run's child container when a config names the plugin). Each run resolves them.
 */
export const TOKENS = {
  /** {@link FileStore}: files a config points at (datasets, model folders, vocabularies). */
  Files: Symbol.for('graft.Files'),
  /** {@link FileStore}: where runs write metrics, checkpoints, reports and exports. */
  Artifacts: Symbol.for('graft.Artifacts'),
  /** {@link ResourceStore}: models and datasets fetched by URL, through a cache and a mirror. */
  Resources: Symbol.for('graft.Resources'),
  /** {@link Clock}: the time (tests fix it). */
  Clock: Symbol.for('graft.Clock'),
  /** {@link RandomSource}: randomness outside seeded runs. */
  Random: Symbol.for('graft.Random'),
  /** {@link Logger}: where a run's messages go. */
  Logger: Symbol.for('graft.Logger'),
} as const;

/** The token of each environment service. */
const SERVICE_TOKENS: Record<keyof Environment, symbol> = {
  files: TOKENS.Files,
  artifacts: TOKENS.Artifacts,
  resources: TOKENS.Resources,
  clock: TOKENS.Clock,
  random: TOKENS.Random,
  log: TOKENS.Logger,
};

export interface RuntimeOptions {
  /** First-party and programmatic plugins; falsy entries are dropped. Core's own plugin is always added. */
  plugins?: PluginList;
  /** How plugin modules named in configs are imported (the CLI passes one that understands `.ts`). */
  importer?: ModuleImporter;
  /** Where messages go. @default silent */
  log?: Logger;
  /** Environment services replacing the Node defaults (a browser's stores, a test's clock). */
  environment?: Partial<Environment>;
}

/** A loaded config: its run plan and the registry it was resolved against (its own plugins included). */
export interface PlannedRun {
  plan: RunPlan;
  registry: Registry;
  /** The environment services this run uses. */
  env: Environment;
  /** Load data, backend, source and heads for this plan. */
  open(): Promise<Session>;
  /** Open a session, train it, dispose it. */
  train(options?: TrainOptions): Promise<TrainOutcome>;
  /** The trained model of this config: from its run folder's checkpoint, or another run folder or checkpoint. */
  openTrained(checkpoint?: string): Promise<TrainedRun>;
}

export interface Runtime {
  /** Everything the runtime's plugins registered. */
  readonly registry: Registry;
  /** The environment services runs use (stores, clock, logger). */
  readonly env: Environment;
  /** Read a config (path or object), load the plugins it names into a child container, and resolve it. */
  load(config: string | ConfigFile | Record<string, unknown>): Promise<PlannedRun>;
  /** The registry a config sees: the runtime's plugins plus those its `plugins` list names (the config is not resolved). */
  registryFor(config: string | ConfigFile): Promise<Registry>;
  /**
   * Open a trained run from its folder or checkpoint file alone (the checkpoint stores its config);
   * `overrides` point its dataset at another folder or pick another backend.
   */
  openTrained(runOrCheckpoint: string, overrides?: TrainedRunOverrides): Promise<TrainedRun>;
  /** Compare strategies (and sources) on identical splits and seeds; the config's `compare` section fills the rest. */
  compare(config: string | ConfigFile | Record<string, unknown>, request?: CompareRequest): Promise<{ dir: string; results: CompareResult[] }>;
  /** Multi-task learning against single-task and sequential transfer, with Δm%. */
  compareMultitask(config: string | ConfigFile | Record<string, unknown>, request?: MultitaskCompareRequest): Promise<{ dir: string; rows: MultitaskRow[] }>;
}

/** What differs between the Node and the browser composition roots. */
export interface Platform {
  /** The environment services, defaults already filled in. */
  environment: Environment;
  /** Read a config file by path. */
  readConfig(path: string): ConfigFile;
  /** Load the plugin modules a config names, relative to its folder. */
  importPlugins(names: readonly string[], configDir: string): Promise<GraftPlugin[]>;
  /** Check and index plugins (Node also checks @graft/core's version and that one copy of it is loaded). */
  buildRegistry(plugins: PluginList): Registry;
  /** The folder relative paths given to the runtime resolve against. */
  cwd(): string;
}

/** Register each environment service under its token. */
function registerEnvironment(container: DependencyContainer, env: Environment): void {
  for (const [service, token] of Object.entries(SERVICE_TOKENS)) container.register(token, { useValue: env[service as keyof Environment] });
}

/** The environment a container provides (a run's child container sees its parent's providers). */
function resolveEnvironment(container: DependencyContainer): Environment {
  return Object.fromEntries(Object.entries(SERVICE_TOKENS).map(([service, token]) => [service, container.resolve(token)])) as unknown as Environment;
}

/** Bind the services the plugins' `providers` build, each from the environment bound before it. */
function registerProviders(container: DependencyContainer, plugins: readonly GraftPlugin[]): void {
  for (const provider of plugins.flatMap((p) => p.providers ?? [])) {
    container.register(SERVICE_TOKENS[provider.service], { useValue: provider.create(resolveEnvironment(container)) });
  }
}

/**
 * The composition root shared by Node's `createRuntime` and the browser's: the environment services are bound under their tokens (Node defaults, the
 * caller's replacements, then the plugins' providers); each run gets a child container where the
 * config's own plugins bind theirs.
 */
export function composeRuntime(options: RuntimeOptions, platform: Platform): Runtime {
  const { buildRegistry } = platform;
  const toConfigFile = (config: string | ConfigFile | Record<string, unknown>): ConfigFile =>
    typeof config === 'string' ? platform.readConfig(config) : 'structure' in config && 'raw' in config ? (config as ConfigFile) : fromObject(config, '<config>', platform.cwd());
  const readCheckpoint = async (env: Environment, path: string) => {
    const bytes = await env.artifacts.read(path);
    if (!bytes) throw checkpointNotFound(path);
    return decodeCheckpoint<CheckpointMeta>(bytes, path);
  };
  const container = rootContainer.createChildContainer();
  const plugins = [corePlugin, ...(options.plugins ?? [])].filter((p): p is GraftPlugin => Boolean(p));
  const registry = buildRegistry(plugins);
  registerEnvironment(container, platform.environment);
  registerProviders(container, plugins);

  const rootEnv = resolveEnvironment(container);
  const registryOf = async (file: ConfigFile): Promise<Registry> => {
    const extra = await platform.importPlugins(file.structure.plugins, file.dir);
    return extra.length > 0 ? buildRegistry([...plugins, ...extra]) : registry;
  };
  const runtime: Runtime = {
    registry,
    env: rootEnv,
    async openTrained(runOrCheckpoint, overrides = {}) {
      const path = await checkpointIn(rootEnv.artifacts, rootEnv.artifacts.resolve(platform.cwd(), runOrCheckpoint));
      const { meta } = await readCheckpoint(rootEnv, path);
      const config = applyTrainedRunOverrides(meta.config, overrides, rootEnv.files, platform.cwd());
      const planned = await runtime.load(fromObject(config, path, meta.configDir));
      return planned.openTrained(path);
    },
    compare: async (config, request) => compareConfig(runtime, toConfigFile(config), request),
    compareMultitask: async (config, request) => compareMultitaskConfig(runtime, toConfigFile(config), request),
    registryFor: async (config) => registryOf(typeof config === 'string' ? platform.readConfig(config) : config),
    async load(config) {
      const file = toConfigFile(config);
      const run = container.createChildContainer();
      const extra = await platform.importPlugins(file.structure.plugins, file.dir);
      const runRegistry = extra.length > 0 ? buildRegistry([...plugins, ...extra]) : registry;
      registerProviders(run, extra);
      const plan = resolvePlan(file, runRegistry);
      const env = resolveEnvironment(run);
      const open = () => openSession(plan, runRegistry, env);
      return {
        plan,
        registry: runRegistry,
        env,
        open,
        async train(trainOptions) {
          const session = await open();
          try {
            return await trainSession(session, { log: env.log, ...trainOptions });
          } finally {
            session.dispose();
          }
        },
        async openTrained(checkpoint) {
          const path = checkpoint === undefined ? env.artifacts.resolve(plan.output.dir, CHECKPOINT_FILE) : await checkpointIn(env.artifacts, env.artifacts.resolve(platform.cwd(), checkpoint));
          const { tensors } = await readCheckpoint(env, path);
          return trainedRun(await open(), runRegistry, env, path, tensors);
        },
      };
    },
  };
  return runtime;
}
