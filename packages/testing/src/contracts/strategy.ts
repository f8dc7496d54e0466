import { describe, expect, it } from 'vitest';
import { commonStageSchema, silentLogger, type GroupControl, type StageControl, type Strategy } from '@graft/core';

/** A stage control over `groupCount` groups that records what the strategy did (for unit tests). */
export function recordingStage(groupCount: number, options: Record<string, unknown> = {}, strategy?: Strategy) {
  const groups: GroupControl[] = Array.from({ length: groupCount }, (_, index) => ({
    name: index === groupCount - 1 ? 'head' : `g${index}`,
    index,
    trainable: true,
    lrMultiplier: 1,
  }));
  const events: string[] = [];
  const parsed = { ...commonStageSchema.parse({ use: strategy?.name ?? 'x' }), ...(strategy ? strategy.options.parse(options) : options) };
  // `any` options: the recorder stands in for every strategy's own option type.
  const stage: StageControl<any> = {
    options: parsed,
    groups,
    freezeTo(n) {
      const k = n < 0 ? groupCount + n : n;
      groups.forEach((g, i) => (g.trainable = i >= k));
      events.push(`freezeTo(${k})`);
    },
    reinitHead: () => events.push('reinitHead'),
    reinitTrunk: () => events.push('reinitTrunk'),
    setNormMomentum: (m) => events.push(`setNormMomentum(${m})`),
    log: silentLogger,
  };
  const trainable = () => groups.filter((g) => g.trainable).map((g) => g.name);
  return { stage, groups, events, trainable };
}

/** What every strategy plugin must satisfy. */
export function strategyContract(strategy: Strategy, options: Record<string, unknown> = {}): void {
  describe(`strategy contract: ${strategy.name}`, () => {
    it('has a name, a description and strict options', () => {
      expect(strategy.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(strategy.description.length).toBeGreaterThan(10);
      expect(strategy.options.safeParse({ ...options, __unknown__: 1 }).success).toBe(false);
    });

    it('trains at least one group in every epoch', () => {
      const { stage, groups } = recordingStage(5, options, strategy);
      strategy.setup(stage);
      const epochs = strategy.defaultEpochs?.(5, stage.options) ?? 3;
      for (let e = 0; e < epochs; e++) {
        strategy.onEpochStart?.(stage, e);
        expect(groups.some((g) => g.trainable), `epoch ${e}`).toBe(true);
      }
    });
  });
}
