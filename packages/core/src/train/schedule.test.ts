import { describe, expect, it } from 'vitest';
import { scheduleSchema } from '../config/stage-options.js';
import { scheduleFactor } from './schedule.js';

const at = (name: string, extra: Record<string, unknown> = {}) => (step: number, total: number) => scheduleFactor(scheduleSchema.parse({ name, ...extra }), step, total);

describe('scheduleFactor', () => {
  it('slanted-triangular follows ULMFiT eq. 3: 1/32 at the start, peak at cut_frac, back to 1/32 at the end', () => {
    const f = at('slanted-triangular');
    expect(f(0, 101)).toBeCloseTo(1 / 32, 10);
    expect(f(10, 101)).toBeCloseTo(1, 10);
    expect(f(5, 101)).toBeCloseTo((1 + 0.5 * 31) / 32, 10);
    expect(f(100, 101)).toBeCloseTo(1 / 32, 10);
    // Halfway down the decay: p = 0.5.
    expect(f(55, 101)).toBeCloseTo((1 + 0.5 * 31) / 32, 10);
  });

  it('cosine decays from 1 to minFactor, after an optional linear warm-up', () => {
    const f = at('cosine', { minFactor: 0.1 });
    expect(f(0, 11)).toBe(1);
    expect(f(5, 11)).toBeCloseTo(0.55, 10);
    expect(f(10, 11)).toBeCloseTo(0.1, 10);
    const w = at('cosine', { warmup: 0.5 });
    expect(w(0, 11)).toBe(0);
    expect(w(5, 11)).toBeCloseTo(1, 10);
  });

  it('linear-warmup rises over its warm-up steps and then holds', () => {
    const f = at('linear-warmup', { warmup: 0.2 });
    expect([0, 1, 2, 3, 9].map((s) => f(s, 10))).toEqual([0.5, 1, 1, 1, 1]);
  });

  it('one-cycle starts at 1/ratio, peaks at cutFrac and ends near zero', () => {
    const f = at('one-cycle');
    expect(f(0, 11)).toBeCloseTo(1 / 25, 10);
    expect(f(3, 11)).toBeCloseTo(1, 10);
    expect(f(10, 11)).toBeLessThan(1e-4);
  });

  it('constant is 1 throughout', () => {
    expect([0, 5, 9].map((s) => at('constant')(s, 10))).toEqual([1, 1, 1]);
  });
});
