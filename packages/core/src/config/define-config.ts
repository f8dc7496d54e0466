import type { z } from 'zod';
import type { commonDataShape, configStructureSchema } from './schema.js';
import type { commonStageSchema } from './stage-options.js';

/** A `{ use, ...options }` spec: the common options typed, the plugin's own options open (checked at load). */
type Spec<Common> = { use: string } & Common & Record<string, unknown>;

type Structure = z.input<typeof configStructureSchema>;
type TaskInput = Structure['tasks'][number];
type DataCommon = Partial<z.input<z.ZodObject<typeof commonDataShape>>>;
type StageCommon = Partial<Omit<z.input<typeof commonStageSchema>, 'use'>>;

/**
 * A Graft config as TypeScript sees it: every top-level key, task, and the options every stage and dataset
 * accept are typed; a plugin's own options are checked against its schema when the config is loaded.
 */
export type GraftConfig = Omit<Structure, 'source' | 'tasks' | 'stages'> & {
  source: Spec<object>;
  tasks: (Omit<TaskInput, 'data'> & { data: Spec<DataCommon> })[];
  stages: Spec<StageCommon>[];
};

/** Identity with types, for configs written in TypeScript: `export default defineConfig({ ... })`. */
export function defineConfig<const C extends GraftConfig>(config: C): C {
  return config;
}
