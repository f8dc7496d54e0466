import { describe, expect, it } from 'vitest';
import type { Dataset, Examples } from './examples.js';
import { splitFingerprints } from './fingerprint.js';
import type { PreparedData } from './prepare.js';

const examples = (pixels: number[], labels: number[]): Examples => ({
  size: labels.length,
  inputs: { image: { data: Float32Array.from(pixels), shape: [labels.length, pixels.length / labels.length] } },
  targets: { label: { data: Int32Array.from(labels), shape: [labels.length] } },
});
const prepared = (train: Examples, test: Examples): PreparedData => ({
  groups: [{ key: 'd', tasks: [], dataset: { modality: 'image', targets: {}, defaultTarget: 'label', train, test } as Dataset }],
  tasks: [],
  scales: new Map(),
});

describe('splitFingerprints', () => {
  const base = splitFingerprints(prepared(examples([1, 2, 3, 4], [0, 1]), examples([5, 6], [1])));

  it('gives equal data equal digests, one per split present', () => {
    expect(splitFingerprints(prepared(examples([1, 2, 3, 4], [0, 1]), examples([5, 6], [1])))).toEqual(base);
    expect(Object.keys(base)).toEqual(['train', 'test']);
    expect(base.train).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tells apart one changed label, one changed pixel, and swapped samples', () => {
    expect(splitFingerprints(prepared(examples([1, 2, 3, 4], [0, 2]), examples([5, 6], [1]))).train).not.toBe(base.train);
    expect(splitFingerprints(prepared(examples([1, 2, 3, 4.5], [0, 1]), examples([5, 6], [1]))).train).not.toBe(base.train);
    expect(splitFingerprints(prepared(examples([3, 4, 1, 2], [1, 0]), examples([5, 6], [1]))).train).not.toBe(base.train);
  });
});
