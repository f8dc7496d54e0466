import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { fromObject, readConfigFile, resolvePlan, type ConfigFile, type RunPlan } from './config/load.js';
import { silentLogger, type Logger } from './logger.js';
import type { GraftPlugin, PluginList } from './plugins/define.js';
import { buildRegistry, importPlugins, type ModuleImporter } from './plugins/loader.js';
import type { Registry } from './plugins/registry.js';
import { openSession, trainSession, type Session, type TrainOptions, type TrainOutcome } from './session.js';
import { corePlugin } from './tasks/plugin.js';

/** Injection tokens. Only composition roots (this file, the CLI) touch the container. */
export const TOKENS = {
  Plugin: Symbol('graft.Plugin'),
  Registry: Symbol('graft.Registry'),
  Logger: Symbol('graft.Logger'),
  Importer: Symbol('graft.Importer'),
  RunPlan: Symbol('graft.RunPlan'),
} as const;

export interface RuntimeOptions {
  /** First-party and programmatic plugins; falsy entries are dropped. Core's own plugin is always added. */
  plugins?: PluginList;
  /** How plugin modules named in configs are imported (the CLI passes one that understands `.ts`). */
  importer?: ModuleImporter;
  log?: Logger;
}

/** A loaded config: its run plan and the registry it was resolved against (its own plugins included). */
export interface PlannedRun {
  plan: RunPlan;
  registry: Registry;
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

/**
 * The composition root: plugins are registered under {@link TOKENS.Plugin}, the registry is built from
 * `resolveAll`, and each run gets a child container holding its own plugins, plan and logger.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const container = rootContainer.createChildContainer();
  const log = options.log ?? silentLogger;
  container.register(TOKENS.Logger, { useValue: log });
  for (const plugin of [corePlugin, ...(options.plugins ?? [])]) {
    if (plugin) container.register(TOKENS.Plugin, { useValue: plugin });
  }
  const registryOf = (c: DependencyContainer) => buildRegistry(c.resolveAll<GraftPlugin>(TOKENS.Plugin));
  const registry = registryOf(container);

  return {
    registry,
    async load(config) {
      const file = typeof config === 'string' ? readConfigFile(config) : 'structure' in config && 'raw' in config ? (config as ConfigFile) : fromObject(config);
      const run = container.createChildContainer();
      const extra = await importPlugins(file.structure.plugins, file.dir, options.importer);
      for (const plugin of extra) run.register(TOKENS.Plugin, { useValue: plugin });
      const runRegistry = extra.length > 0 ? registryOf(run) : registry;
      const plan = resolvePlan(file, runRegistry);
      run.register(TOKENS.Registry, { useValue: runRegistry });
      run.register(TOKENS.RunPlan, { useValue: plan });
      const open = () => openSession(run.resolve<RunPlan>(TOKENS.RunPlan), run.resolve<Registry>(TOKENS.Registry), run.resolve<Logger>(TOKENS.Logger));
      return {
        plan,
        registry: runRegistry,
        open,
        async train(trainOptions) {
          const session = await open();
          try {
            return await trainSession(session, { log, ...trainOptions });
          } finally {
            session.dispose();
          }
        },
      };
    },
  };
}
