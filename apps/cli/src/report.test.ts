import type { CompareResult } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import { sampleEfficiency } from './report.js';

const result = (strategy: string, perClass: number | undefined, mean: number, metric = 'accuracy', higherIsBetter = true): CompareResult => ({
  strategy,
  perClass,
  task: 't',
  metric,
  higherIsBetter,
  mean,
  std: 0.02,
  seconds: 1,
  runs: [],
});

describe('sampleEfficiency', () => {
  it('turns accuracy into test error per entry and few-shot size', () => {
    const curve = sampleEfficiency([result('scratch', 10, 0.6), result('ulmfit', 10, 0.75), result('scratch', 100, 0.8), result('ulmfit', 100, 0.9)]);
    expect(curve!.yTitle).toBe('test error (1 − accuracy)');
    expect(curve!.points.map((p) => [p.strategy, p.perClass, Number(p.error.toFixed(6)), p.std])).toEqual([
      ['scratch', 10, 0.4, 0.02],
      ['ulmfit', 10, 0.25, 0.02],
      ['scratch', 100, 0.2, 0.02],
      ['ulmfit', 100, 0.1, 0.02],
    ]);
  });

  it('plots a lower-is-better metric as it is, and draws nothing for one size or a metric with no error form', () => {
    expect(sampleEfficiency([result('a', 5, 0.3, 'mae', false), result('a', 50, 0.1, 'mae', false)])!.points.map((p) => p.error)).toEqual([0.3, 0.1]);
    expect(sampleEfficiency([result('a', 10, 0.6), result('b', 10, 0.7)])).toBeUndefined();
    expect(sampleEfficiency([result('a', undefined, 0.6)])).toBeUndefined();
    expect(sampleEfficiency([result('a', 5, 0.3, 'r2'), result('a', 50, 0.5, 'r2')])).toBeUndefined();
  });
});
