/** A stage as written in a config. */
export type StageSpec = Record<string, unknown> & { use: string };

/**
 * ULMFiT's comparison rows (Howard & Ruder 2018, Table 6), built on a base stage whose options (epochs,
 * lr, batchSize, optimizer, bn, ...) the config's first stage provides.
 */
export const BUILTIN_PRESETS: Record<string, (base: Record<string, unknown>) => StageSpec[]> = {
  last: (b) => [{ ...b, use: 'linear-probe' }],
  full: (b) => [{ ...b, use: 'fine-tune' }],
  'full+discr': (b) => [{ ...b, use: 'fine-tune', discriminative: { factor: 2.6 } }],
  gradual: (b) => [{ ...withoutEpochs(b), use: 'gradual-unfreeze' }],
  'gradual+discr+stlr': (b) => [{ ...withoutEpochs(b), use: 'gradual-unfreeze', discriminative: { factor: 2.6 }, schedule: 'slanted-triangular' }],
  'lp-ft': (b) => [
    { ...b, use: 'linear-probe' },
    { ...b, use: 'fine-tune' },
  ],
};

function withoutEpochs(base: Record<string, unknown>): Record<string, unknown> {
  const { epochs: _epochs, ...rest } = base;
  return rest;
}

/** Options of a stage that only make sense for its own strategy, dropped when a preset reuses it as a base. */
const STRATEGY_SPECIFIC = ['use', 'name', 'every'];

/** The base options presets build on: the config's first stage without its strategy-specific keys. */
export function baseStage(stages: readonly StageSpec[]): Record<string, unknown> {
  const first = { ...(stages[0] ?? { use: 'fine-tune' }) } as Record<string, unknown>;
  for (const key of STRATEGY_SPECIFIC) delete first[key];
  return first;
}
