/** A stage as written in a config. */
export type StageSpec = Record<string, unknown> & { use: string };

/**
 * A named stage list `graft compare` accepts as an entry, contributed by a plugin (the ULMFiT rows come
 * from `@graft/strategies`). Core knows no strategy names: presets are built on the config's first stage.
 */
export interface ComparePreset {
  name: string;
  description: string;
  /** Paper or section the row reproduces. */
  reference?: string;
  /** The stages, built on a base stage whose options (epochs, lr, batchSize, ...) the config's first stage gives. */
  stages(base: Readonly<Record<string, unknown>>): StageSpec[];
}

/** Options of a stage that only make sense for its own strategy, dropped when a preset reuses it as a base. */
const STRATEGY_SPECIFIC = ['use', 'name', 'every'];

/** The base options presets build on: the config's first stage without its strategy-specific keys. */
export function baseStage(stages: readonly StageSpec[]): Record<string, unknown> {
  const first = { ...(stages[0] ?? {}) } as Record<string, unknown>;
  for (const key of STRATEGY_SPECIFIC) delete first[key];
  return first;
}
