import { describe, expect, it } from 'vitest';
import { commonStageSchema, type ComparePreset, type Strategy } from '@graft/core';

/** Options of {@link comparePresetContract}. */
export interface ComparePresetContractOptions {
  /** The strategies the preset's stages may name (the plugin's own and those it depends on). */
  strategies: readonly Strategy[];
  /** The config's first stage the preset builds on. @default { epochs: 2, lr: 0.01, batchSize: 8 } */
  base?: Record<string, unknown>;
}

/**
 * What every `graft compare` preset must satisfy: a name and a description; stages, built on a base stage,
 * each naming one of the given strategies and valid for it (common stage options and the strategy's
 * strict options); and a pure `stages` (the same base gives the same stages, the base left unchanged).
 */
export function comparePresetContract(preset: ComparePreset, contract: ComparePresetContractOptions): void {
  describe(`compare preset contract: ${preset.name}`, () => {
    it('has a name and a description', () => {
      expect(preset.name.length).toBeGreaterThan(0);
      expect(preset.description.length).toBeGreaterThan(10);
    });

    it('builds stages that name known strategies with valid options, purely from the base', () => {
      const base = contract.base ?? { epochs: 2, lr: 0.01, batchSize: 8 };
      const frozen = JSON.stringify(base);
      const stages = preset.stages(base);
      expect(stages.length).toBeGreaterThan(0);
      expect(JSON.stringify(base)).toBe(frozen);
      expect(preset.stages(base)).toEqual(stages);
      for (const [i, stage] of stages.entries()) {
        const strategy = contract.strategies.find((s) => s.name === stage.use);
        expect(strategy, `stages[${i}].use "${stage.use}" names a strategy`).toBeDefined();
        const common = Object.keys(commonStageSchema.shape);
        const own = Object.fromEntries(Object.entries(stage).filter(([key]) => !common.includes(key)));
        const ownParse = strategy!.options.safeParse(own);
        expect(ownParse.success, `stages[${i}] options for ${stage.use}: ${ownParse.error?.message}`).toBe(true);
        const commonParse = commonStageSchema.safeParse(Object.fromEntries(Object.entries(stage).filter(([key]) => common.includes(key))));
        expect(commonParse.success, `stages[${i}] common options: ${commonParse.error?.message}`).toBe(true);
      }
    });
  });
}
