import { basenameOf, resolvePath, workingDirectory } from '../env/paths.js';
import { sha256Hex } from '../sha256.js';
import type { DatasetProvider } from '../data/examples.js';
import { didYouMean, GraftError, unknownName, type GraftErrorCode } from '../errors.js';
import type { Registry } from '../plugins/registry.js';
import type { PretrainedSource } from '../source.js';
import type { Strategy } from '../strategy.js';
import type { TaskType } from '../task.js';
import type { Weighting } from '../weighting.js';
import type { CallbackPlugin } from '../callback.js';
import { commonDataShape, configStructureSchema, type ConfigStructure } from './schema.js';
import { parseSpec } from './plugin-options.js';
import { invalidConfig } from './issues.js';
import { commonStageShape, type StageOptions } from './stage-options.js';

const { use: _dataUse, ...dataCommon } = commonDataShape;
const { use: _stageUse, ...stageCommon } = commonStageShape;

/** A config file read from disk, not yet checked against the plugins. */
export interface ConfigFile {
  /** Path as given (for messages). */
  file: string;
  /** Directory relative paths in the config resolve against. */
  dir: string;
  raw: unknown;
  structure: ConfigStructure;
}

/** A dataset spec resolved to its plugin: tasks with equal specs share one dataset. */
export interface DataSpec {
  plugin: DatasetProvider;
  options: Record<string, unknown>;
  perClass?: number;
  validation?: number;
  fold?: { index: number; count: number };
  /** Canonical JSON of the spec, for sharing. */
  key: string;
  where: string;
}

export interface TaskPlan {
  name: string;
  type: TaskType;
  target?: string;
  data: DataSpec;
  head: { hidden: number[]; dropout: number };
}

export interface StagePlan {
  strategy: Strategy;
  options: StageOptions & Record<string, unknown>;
  weighting: { plugin: Weighting; options: Record<string, unknown> };
  where: string;
}

/** A validated config with every plugin name resolved: what one run does. */
export interface RunPlan {
  file: string;
  dir: string;
  name: string;
  seed: number;
  backend: string;
  source: { plugin: PretrainedSource; options: Record<string, unknown> };
  tasks: TaskPlan[];
  stages: StagePlan[];
  /** The config's callbacks, in order, each with its parsed options. */
  callbacks: { plugin: CallbackPlugin; options: Record<string, unknown> }[];
  evaluate: { split: 'test' | 'validation' };
  output: { dir: string; checkpoint: boolean };
  /** The config as written (after parsing), stored in checkpoints so `eval` and `predict` can rebuild the model. */
  raw: unknown;
  /** sha256 of the canonical config: a checkpoint resumes only the run it came from. */
  hash: string;
}

/** Check an in-memory config's structure (for programmatic use and tests). */
export function fromObject(raw: unknown, file = '<config>', dir = workingDirectory()): ConfigFile {
  const parsed = configStructureSchema.safeParse(raw);
  if (!parsed.success) throw invalidConfig(parsed.error, configStructureSchema, file);
  return { file, dir, raw, structure: parsed.data };
}

/** Resolve every plugin name in the config and validate each plugin's options. */
export function resolvePlan(config: ConfigFile, registry: Registry): RunPlan {
  const { structure: s, file } = config;
  const where = (path: string) => `${path} in ${basenameOf(file)}`;

  if (s.backend !== 'auto' && !registry.backends.has(s.backend)) {
    throw unknownName('GRAFT_UNKNOWN_BACKEND', 'backend', s.backend, ['auto', ...registry.backends.keys()], where('backend'));
  }
  const source = pick(registry.sources, s.source.use, 'GRAFT_UNKNOWN_SOURCE', 'source', where('source.use'));
  const sourceOptions = parseSpec(source, s.source, {}, 'source', file, ['source']);

  const tasks = s.tasks.map((t, i): TaskPlan => {
    const type = pick(registry.tasks, t.type, 'GRAFT_UNKNOWN_TASK_TYPE', 'task type', where(`tasks[${i}].type`));
    const provider = pick(registry.datasets, t.data.use, 'GRAFT_UNKNOWN_DATASET', 'dataset', where(`tasks[${i}].data.use`));
    const full = parseSpec(provider, t.data, dataCommon, 'dataset', file, ['tasks', i, 'data']);
    const { perClass, validation, fold, ...options } = full as { perClass?: number; validation?: number; fold?: { index: number; count: number } };
    return {
      name: t.name,
      type,
      target: t.target,
      head: t.head,
      data: { plugin: provider, options, perClass, validation, fold, key: canonicalJson(t.data), where: `tasks[${i}].data` },
    };
  });
  const seen = new Set<string>();
  tasks.forEach((t, i) => {
    if (seen.has(t.name)) {
      throw new GraftError('GRAFT_CONFIG_INVALID', { what: `Task name "${t.name}" is used twice`, where: where(`tasks[${i}].name`), fix: 'Give every task its own name' });
    }
    seen.add(t.name);
  });

  const stages = s.stages.map((stage, i): StagePlan => {
    const strategy = pick(registry.strategies, stage.use, 'GRAFT_UNKNOWN_STRATEGY', 'strategy', where(`stages[${i}].use`));
    const options = { use: stage.use, ...parseSpec(strategy, stage, stageCommon, 'strategy', file, ['stages', i]) } as StageOptions & Record<string, unknown>;
    const spec = options.weighting ?? { use: 'equal' };
    const plugin = pick(registry.weightings, spec.use, 'GRAFT_UNKNOWN_WEIGHTING', 'weighting', where(`stages[${i}].weighting.use`));
    const weightingOptions = parseSpec(plugin, spec, {}, 'weighting', file, ['stages', i, 'weighting']);
    options.tasks?.forEach((name, k) => {
      if (tasks.some((t) => t.name === name)) return;
      const names = tasks.map((t) => t.name);
      const guess = didYouMean(name, names);
      throw new GraftError('GRAFT_CONFIG_INVALID', {
        what: `Stage ${i} trains task "${name}", which the config does not define`,
        where: where(`stages[${i}].tasks[${k}]`),
        choices: names,
        fix: guess ? `Did you mean "${guess}"?` : 'Name tasks from the `tasks` list',
      });
    });
    return { strategy, options, weighting: { plugin, options: weightingOptions }, where: `stages[${i}]` };
  });

  const callbacks = s.callbacks.map((c, i) => {
    const plugin = pick(registry.callbacks, c.use, 'GRAFT_UNKNOWN_CALLBACK', 'callback', where(`callbacks[${i}].use`));
    return { plugin, options: parseSpec(plugin, c, {}, 'callback', file, ['callbacks', i]) };
  });

  const name = runName(config);
  return {
    file,
    dir: config.dir,
    name,
    seed: s.seed,
    backend: s.backend,
    source: { plugin: source, options: sourceOptions },
    tasks,
    stages,
    callbacks,
    evaluate: s.evaluate,
    output: { dir: runDir(config), checkpoint: s.output.checkpoint },
    raw: config.raw,
    hash: sha256Hex(canonicalJson(config.raw)),
  };
}

/** The run's name: `name`, else the config file's name without its extension. */
export function runName(config: ConfigFile): string {
  return config.structure.name ?? basenameOf(config.file).replace(/\.(ya?ml|json)$/i, '');
}

/**
 * The one output-directory rule: `output.dir` (relative to the config), else `runs/<name>` beside the
 * config. Training writes its checkpoint and metrics there; `graft compare` writes its results and report
 * there and runs its variants in `compare/` (`compare-multitask/`) below it.
 */
export function runDir(config: ConfigFile): string {
  return resolvePath(config.dir, config.structure.output.dir ?? `runs/${runName(config)}`);
}

function pick<T>(map: ReadonlyMap<string, T>, name: string, code: GraftErrorCode, kind: string, where: string): T {
  const item = map.get(name);
  if (!item) throw unknownName(code, kind, name, [...map.keys()], where);
  return item;
}

/** JSON with sorted keys, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
