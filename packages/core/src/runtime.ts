import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { fromObject, readConfigFile, resolvePlan, type ConfigFile, type RunPlan } from './config/load.js';
import type { Clock, Environment, FileStore, RandomSource, ResourceStore } from './env/environment.js';
import { nodeEnvironment } from './env/node/index.js';
import { silentLogger, type Logger } from './logger.js';
import type { GraftPlugin, PluginList } from './plugins/define.js';
import { buildRegistry, importPlugins, type ModuleImporter } from './plugins/loader.js';
import type { Registry } from './plugins/registry.js';
import { openSession, trainSession, type Session, type TrainOptions, type TrainOutcome } from './session.js';
import { corePlugin } from './tasks/plugin.js';
import type { CompareResult } from './compare/compare.js';
import type { MultitaskRow } from './compare/multitask.js';
import { compareConfig, compareMultitaskConfig, type CompareRequest, type MultitaskCompareRequest } from './compare/request.js';
import type { CheckpointMeta } from './checkpoint/checkpoint.js';
import { readCheckpointFile } from './checkpoint/format.js';
import { CHECKPOINT_FILE, checkpointIn } from './run/checkpoint-path.js';
import { trainedRun, type TrainedRun } from './run/trained-run.js';

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
  /** Open a trained run from its folder or checkpoint file alone (the checkpoint stores its config). */
  openTrained(runOrCheckpoint: string): Promise<TrainedRun>;
  /** Compare strategies (and sources) on identical splits and seeds; the config's `compare` section fills the rest. */
  compare(config: string | ConfigFile | Record<string, unknown>, request?: CompareRequest): Promise<{ dir: string; results: CompareResult[] }>;
  /** Multi-task learning against single-task and sequential transfer, with Δm%. */
  compareMultitask(config: string | ConfigFile | Record<string, unknown>, request?: MultitaskCompareRequest): Promise<{ dir: string; rows: MultitaskRow[] }>;
}

/** A config path, an already-read config, or a config object → a checked config file. */
function toConfigFile(config: string | ConfigFile | Record<string, unknown>): ConfigFile {
  if (typeof config === 'string') return readConfigFile(config);
  return 'structure' in config && 'raw' in config ? (config as ConfigFile) : fromObject(config);
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

/**
 * The composition root: plugins are registered under {@link TOKENS.Plugin} and the environment services
 * under their tokens; each run gets a child container holding its own plugins.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const container = rootContainer.createChildContainer();
  registerEnvironment(container, nodeEnvironment({ log: options.log ?? silentLogger, ...options.environment }));
  for (const plugin of [corePlugin, ...(options.plugins ?? [])]) {
    if (plugin) container.register(TOKENS.Plugin, { useValue: plugin });
  }
  const registry = buildRegistry(container.resolveAll<GraftPlugin>(TOKENS.Plugin));

  const rootEnv = resolveEnvironment(container);
  const registryOf = async (file: ConfigFile): Promise<Registry> => {
    const extra = await importPlugins(file.structure.plugins, file.dir, options.importer);
    return extra.length > 0 ? buildRegistry([...container.resolveAll<GraftPlugin>(TOKENS.Plugin), ...extra]) : registry;
  };
  const runtime: Runtime = {
    registry,
    env: rootEnv,
    async openTrained(runOrCheckpoint) {
      const path = await checkpointIn(rootEnv.artifacts, rootEnv.artifacts.resolve(process.cwd(), runOrCheckpoint));
      const { meta } = readCheckpointFile<CheckpointMeta>(path);
      const planned = await runtime.load(fromObject(meta.config, path, meta.configDir));
      return planned.openTrained(path);
    },
    compare: async (config, request) => compareConfig(runtime, toConfigFile(config), request),
    compareMultitask: async (config, request) => compareMultitaskConfig(runtime, toConfigFile(config), request),
    registryFor: async (config) => registryOf(typeof config === 'string' ? readConfigFile(config) : config),
    async load(config) {
      const file = toConfigFile(config);
      const run = container.createChildContainer();
      const runRegistry = await registryOf(file);
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
          const path = checkpoint === undefined ? env.artifacts.resolve(plan.output.dir, CHECKPOINT_FILE) : await checkpointIn(env.artifacts, env.artifacts.resolve(process.cwd(), checkpoint));
          const { tensors } = readCheckpointFile(path);
          return trainedRun(await open(), runRegistry, env, path, tensors);
        },
      };
    },
  };
  return runtime;
}
