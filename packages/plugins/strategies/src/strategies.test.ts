import { describe, expect, it } from 'vitest';
import { recordingStage, strategyContract } from '@graft/testing/contracts';
import { chainThaw, fineTune, gradualUnfreeze, linearProbe, multitask, scratch } from './index.js';

for (const s of [scratch, linearProbe, fineTune, gradualUnfreeze, chainThaw, multitask]) strategyContract(s);

describe('gradualUnfreeze', () => {
  it('unfreezes one more group per epoch, top first', () => {
    const { stage, trainable } = recordingStage(4, {}, gradualUnfreeze);
    gradualUnfreeze.setup(stage);
    const seen: string[][] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      gradualUnfreeze.onEpochStart!(stage, epoch);
      seen.push(trainable());
    }
    expect(seen).toEqual([['head'], ['g2', 'head'], ['g1', 'g2', 'head'], ['g0', 'g1', 'g2', 'head'], ['g0', 'g1', 'g2', 'head']]);
  });

  it('thaws every `every` epochs and defaults to enough epochs to thaw everything', () => {
    const { stage, trainable } = recordingStage(3, { every: 2 }, gradualUnfreeze);
    gradualUnfreeze.setup(stage);
    const seen = [0, 1, 2, 3, 4].map((e) => (gradualUnfreeze.onEpochStart!(stage, e), trainable().length));
    expect(seen).toEqual([1, 1, 2, 2, 3]);
    expect(gradualUnfreeze.defaultEpochs!(3, { every: 2 })).toBe(6);
  });
});

describe('chainThaw', () => {
  it('trains the head, then each group alone bottom-up, then everything', () => {
    const { stage, trainable } = recordingStage(3, {}, chainThaw);
    chainThaw.setup(stage);
    const seen = [0, 1, 2, 3].map((e) => (chainThaw.onEpochStart!(stage, e), trainable()));
    expect(seen).toEqual([['head'], ['g0'], ['g1'], ['g0', 'g1', 'head']]);
  });
});

describe('linearProbe, fineTune and scratch', () => {
  it('freeze the trunk, thaw everything, and re-initialise everything respectively', () => {
    const probe = recordingStage(3, {}, linearProbe);
    linearProbe.setup(probe.stage);
    expect(probe.trainable()).toEqual(['head']);
    const tune = recordingStage(3, {}, fineTune);
    fineTune.setup(tune.stage);
    expect(tune.trainable()).toEqual(['g0', 'g1', 'head']);
    const fresh = recordingStage(3, {}, scratch);
    scratch.setup(fresh.stage);
    expect(fresh.events).toEqual(['reinitTrunk', 'reinitHead', 'setNormMomentum(0.9)', 'freezeTo(0)']);
  });
});
