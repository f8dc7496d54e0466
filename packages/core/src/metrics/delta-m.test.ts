import { describe, expect, it } from 'vitest';
import { deltaM, deltaMFromTables } from './delta-m.js';

/**
 * NYUv2 (13-class segmentation, depth, surface normals; MTAN, 3 seeds, last 10 epochs), Navon et al.,
 * "Multi-Task Learning as a Bargaining Game", ICML 2022, Table 2 (arXiv 2202.01017).
 * The single-task row is the `BASE` vector of the authors' code, AvivNavon/nash-mtl
 * experiments/nyuv2/utils.py @ c5176265510885eecd6ff5edb260e6bc8d7af0f6 (also Cranial-XIX/CAGrad
 * nyuv2/plot.py @ dc3d48152b6196945cfd56144879b9d42353b095), there as fractions, here in percent.
 * The method rows and their "Δm% ↓" are the table's (read from a transcription of it; the CAGrad paper's
 * Table 1 prints the same LS, PCGrad, GradDrop and CAGrad rows). That column is lower-is-better, i.e. −deltaM.
 */
const METRICS = ['mIoU', 'pixAcc', 'absErr', 'relErr', 'angleMean', 'angleMedian', 'within11.25', 'within22.5', 'within30'] as const;
const HIGHER_IS_BETTER = [true, true, false, false, false, false, true, true, true];
const SINGLE_TASK = [38.3, 63.76, 0.6754, 0.278, 25.01, 19.21, 30.14, 57.2, 69.15];

const PUBLISHED: [method: string, metrics: number[], deltaMDown: number][] = [
  ['LS', [39.29, 65.33, 0.5493, 0.2263, 28.15, 23.96, 22.09, 47.5, 61.08], 5.59],
  ['SI', [38.45, 64.27, 0.5354, 0.2201, 27.6, 23.37, 22.53, 48.57, 62.32], 4.39],
  ['RLW', [37.17, 63.77, 0.5759, 0.241, 28.27, 24.18, 22.26, 47.05, 60.62], 7.78],
  ['DWA', [39.11, 65.31, 0.551, 0.2285, 27.61, 23.18, 24.17, 50.18, 62.39], 3.57],
  ['UW', [36.87, 63.17, 0.5446, 0.226, 27.04, 22.61, 23.54, 49.05, 63.65], 4.05],
  ['MGDA', [30.47, 59.9, 0.607, 0.2555, 24.88, 19.45, 29.18, 56.88, 69.36], 1.38],
  ['PCGrad', [38.06, 64.64, 0.555, 0.2325, 27.41, 22.8, 23.86, 49.83, 63.14], 3.97],
  ['GradDrop', [39.39, 65.12, 0.5455, 0.2279, 27.48, 22.96, 23.38, 49.44, 62.87], 3.58],
  ['CAGrad', [39.79, 65.49, 0.5486, 0.225, 26.31, 21.58, 25.61, 52.36, 65.58], 0.2],
  ['Nash-MTL', [40.13, 65.93, 0.5261, 0.2171, 25.26, 20.08, 28.4, 55.47, 68.15], -4.04],
];

const entries = (metrics: number[]) =>
  metrics.map((value, i) => ({ name: METRICS[i]!, value, baseline: SINGLE_TASK[i]!, higherIsBetter: HIGHER_IS_BETTER[i]! }));

/**
 * The table's metrics are themselves rounded (2 decimals, 4 for depth), which moves Δm by up to
 * (100/9) Σ_i ε_i / |M_b,i| = 0.0139 percentage points (ε_i half a unit in the last printed digit).
 */
const ROUNDING_BOUND = 0.014;

describe('deltaM', () => {
  it('reproduces the published NYUv2 Δm of ten methods (Nash-MTL Table 2) within the rounding of the table', () => {
    for (const [method, metrics, published] of PUBLISHED) {
      const ours = -deltaM(entries(metrics));
      expect(Math.abs(ours - published), `${method}: ${ours}`).toBeLessThanOrEqual(0.005 + ROUNDING_BOUND);
    }
  });

  it('matches the published value exactly at two decimals for the seven rows the rounding does not straddle', () => {
    const exact = ['LS', 'SI', 'RLW', 'DWA', 'MGDA', 'PCGrad', 'GradDrop'];
    for (const [method, metrics, published] of PUBLISHED.filter(([m]) => exact.includes(m))) {
      expect((-deltaM(entries(metrics))).toFixed(2), method).toBe(published.toFixed(2));
    }
    // The other three land one unit away in the last digit: UW 4.0559 (4.05), CAGrad 0.1941 (0.20),
    // Nash-MTL −4.0468 (−4.04), all inside ROUNDING_BOUND.
  });

  it('counts an improvement as positive whichever way the metric points (hand-computed)', () => {
    // accuracy 0.8 → 0.88 is +10 %, error 2 → 1.5 is +25 %: mean +17.5.
    expect(
      deltaM([
        { name: 'a/accuracy', value: 0.88, baseline: 0.8, higherIsBetter: true },
        { name: 'b/mae', value: 1.5, baseline: 2, higherIsBetter: false },
      ]),
    ).toBeCloseTo(17.5, 10);
    expect(deltaMFromTables({ acc: 0.72, mae: 2.2 }, { acc: 0.8, mae: 2 }, { acc: true, mae: false })).toBeCloseTo(-10, 10);
  });

  it('refuses a zero baseline, a missing metric and an empty list with clear errors', () => {
    expect(() => deltaM([{ name: 'seg/mIoU', value: 1, baseline: 0, higherIsBetter: true }])).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_INVALID_ARGUMENT: Δm: the single-task baseline of "seg/mIoU" is 0. Δm divides by the baseline, so it must be a finite non-zero number. Leave this metric out of Δm, or report it separately.]`,
    );
    expect(() => deltaMFromTables({ acc: 1 }, { acc: 1, f1: 0.5 }, { acc: true, f1: true })).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_INVALID_ARGUMENT: Δm: the multi-task results have no metric "f1". Valid choices: acc.]`,
    );
    expect(() => deltaM([])).toThrowError(/GRAFT_INVALID_ARGUMENT: Δm needs at least one metric/);
  });
});
