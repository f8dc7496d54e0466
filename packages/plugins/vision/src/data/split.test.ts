import { describe, expect, it } from 'vitest';
import { holdOutPerClass } from './split.js';

// 3 classes with 20, 30 and 5 samples, interleaved.
const labels = Int32Array.from({ length: 55 }, (_, i) => (i < 50 ? i % 2 : 2));
labels.forEach((_, i) => {
  if (i < 50 && i % 5 === 0) labels[i] = 1;
});
const all = Int32Array.from({ length: labels.length }, (_, i) => i);
const count = (idx: Int32Array, cls: number) => Array.from(idx).filter((i) => labels[i] === cls).length;

describe('holdOutPerClass', () => {
  it('holds out the fraction of each class, disjoint from the rest', () => {
    const { kept, held } = holdOutPerClass(labels, all, 0.2, 3);
    expect([0, 1, 2].map((c) => count(held, c))).toEqual([4, 6, 1]);
    expect(kept.length + held.length).toBe(55);
    expect(new Set([...kept, ...held]).size).toBe(55);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    expect(Array.from(holdOutPerClass(labels, all, 0.2, 3).held)).toEqual(Array.from(holdOutPerClass(labels, all, 0.2, 3).held));
    expect(Array.from(holdOutPerClass(labels, all, 0.2, 4).held)).not.toEqual(Array.from(holdOutPerClass(labels, all, 0.2, 3).held));
  });
});
