import { describe, expect, it } from 'vitest';
import { Rng } from '../train/rng.js';
import { stratifiedFolds, stratifiedSplit } from './split.js';

describe('stratifiedSplit', () => {
  it('holds out the fraction of every class, unlabelled samples as their own stratum', () => {
    // Imbalanced: class 0 ×90, class 1 ×10, and 20 unlabelled.
    const n = 120;
    const data = Int32Array.from({ length: n }, (_, i) => (i < 90 ? 0 : 1));
    const mask = Uint8Array.from({ length: n }, (_, i) => (i >= 100 ? 0 : 1));
    const { kept, held } = stratifiedSplit(n, { data, shape: [n], mask }, 0.2, new Rng(9));
    const held0 = [...held].filter((i) => i < 90).length;
    const held1 = [...held].filter((i) => i >= 90 && i < 100).length;
    expect([held0, held1, held.length - held0 - held1]).toEqual([18, 2, 4]);
    expect(kept.length + held.length).toBe(n);
    expect(new Set([...kept, ...held]).size).toBe(n);
  });

  it('never takes the last sample of a class', () => {
    const data = Int32Array.from([0, 1, 1]);
    const { held } = stratifiedSplit(3, { data, shape: [3] }, 0.9, new Rng(1));
    expect(held.length).toBe(1);
    expect(data[held[0]!]).toBe(1);
  });
});

describe('stratifiedFolds', () => {
  it('deals each class evenly over the folds', () => {
    const n = 103;
    const data = Int32Array.from({ length: n }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
    const fold = stratifiedFolds(n, { data, shape: [n] }, 3, new Rng(4));
    for (let f = 0; f < 3; f++) {
      const members = [...fold.keys()].filter((i) => fold[i] === f);
      const per = [0, 1, 2].map((c) => members.filter((i) => data[i] === c).length);
      expect(per[0]).toBe(20);
      expect(per[1]).toBe(10);
      expect(Math.abs(per[2]! - 13 / 3)).toBeLessThan(1);
      expect(Math.abs(members.length - n / 3)).toBeLessThan(1);
    }
  });
});
