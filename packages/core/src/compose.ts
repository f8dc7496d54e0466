import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { fromObject, resolvePlan, type ConfigFile, type RunPlan } from './config/load.js';
import type { Clock, Environment, FileStore, RandomSource, ResourceStore } from './env/environment.js';
import type { Logger } from './logger.js';
import type { GraftPlugin, PluginList } from './plugins/define.js';
import { buildRegistry } from './plugins/build-registry.js';
import type { ModuleImporter } from './plugins/loader.js';
import type { Registry } from './plugins/registry.js';
import { openSession, trainSession, type Session, type TrainOptions, type TrainOutcome } from './session.js';
import { corePlugin } from './tasks/plugin.js';

/**
 * Injection tokens. Only composition roots (this file, the CLI, a browser runtime) touch the container.
 * The environment services (`Files` … `Logger`) are what differs between Node, the browser and tests:
 * core binds Node defaults, and a caller replaces any of them with `createRuntime({ environment })`.
 */
export const TOKENS = {
  Plugin: Symbol('graft.Plugin'),
  Importer: Symbol('graft.Importer'),
  /** {@link FileStore}: files a config points at (datasets, model folders, vocabularies). */
  Files: Symbol('graft.Files'),
  /** {@link FileStore}: where runs write metrics, checkpoints, reports and exports. */
  Artifacts: Symbol('graft.Artifacts'),
  /** {@link ResourceStore}: models and datasets fetched by URL, through a cache and a mirror. */
  Resources: Symbol('graft.Resources'),
  /** {@link Clock}. */
  Clock: Symbol('graft.Clock'),
  /** {@link RandomSource}: randomness outside seeded runs. */
  Random: Symbol('graft.Random'),
  /** {@link Logger}: where a run's messages go. */
  Logger: Symbol('graft.Logger'),
} as const;

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
}

export interface Runtime {
  /** Everything the runtime's plugins registered. */
  readonly registry: Registry;
  /** Read a config (path or object), load the plugins it names into a child container, and resolve it. */
  load(config: string | ConfigFile | Record<string, unknown>): Promise<PlannedRun>;
}

/** Register each environment service under its token. */
function registerEnvironment(container: DependencyContainer, env: Environment): void {
  container.register<FileStore>(TOKENS.Files, { useValue: env.files });
  container.register<FileStore>(TOKENS.Artifacts, { useValue: env.artifacts });
  container.register<ResourceStore>(TOKENS.Resources, { useValue: env.resources });
  container.register<Clock>(TOKENS.Clock, { useValue: env.clock });
  container.register<RandomSource>(TOKENS.Random, { useValue: env.random });
  container.register<Logger>(TOKENS.Logger, { useValue: env.log });
}

/** The environment a container provides (a run's child container sees its parent's providers). */
function resolveEnvironment(container: DependencyContainer): Environment {
  return {
    files: container.resolve<FileStore>(TOKENS.Files),
    artifacts: container.resolve<FileStore>(TOKENS.Artifacts),
    resources: container.resolve<ResourceStore>(TOKENS.Resources),
    clock: container.resolve<Clock>(TOKENS.Clock),
    random: container.resolve<RandomSource>(TOKENS.Random),
    log: container.resolve<Logger>(TOKENS.Logger),
  };
}

/** What differs between the Node and the browser composition roots. */
export interface Platform {
  /** The environment services, defaults already filled in. */
  environment: Environment;
  /** Read a config file by path. */
  readConfig(path: string): ConfigFile;
  /** Load the plugin modules a config names, relative to its folder. */
  importPlugins(names: readonly string[], configDir: string): Promise<GraftPlugin[]>;
}

/**
 * The composition root shared by Node's {@link createRuntime} and the browser's: plugins are registered
 * under {@link TOKENS.Plugin} and the environment services under their tokens; each run gets a child
 * container holding its own plugins.
 */
export function composeRuntime(options: RuntimeOptions, platform: Platform): Runtime {
  const container = rootContainer.createChildContainer();
  registerEnvironment(container, platform.environment);
  for (const plugin of [corePlugin, ...(options.plugins ?? [])]) {
    if (plugin) container.register(TOKENS.Plugin, { useValue: plugin });
  }
  const registry = buildRegistry(container.resolveAll<GraftPlugin>(TOKENS.Plugin));

  return {
    registry,
    async load(config) {
      const file = typeof config === 'string' ? platform.readConfig(config) : 'structure' in config && 'raw' in config ? (config as ConfigFile) : fromObject(config);
      const run = container.createChildContainer();
      const extra = await platform.importPlugins(file.structure.plugins, file.dir);
      const runRegistry = extra.length > 0 ? buildRegistry([...container.resolveAll<GraftPlugin>(TOKENS.Plugin), ...extra]) : registry;
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
      };
    },
  };
}
