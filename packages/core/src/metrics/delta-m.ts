import { GraftError } from '../errors.js';

/** One metric of one task: the multi-task model's value, its single-task baseline, and which way is better. */
export interface DeltaMEntry {
  /** `task/metric`, for error messages. */
  name: string;
  value: number;
  baseline: number;
  higherIsBetter: boolean;
}

/**
 * Δm%, the mean relative change of every task metric against its single-task baseline (Maninis, Radosavovic
 * & Kokkinos, "Attentive Single-Tasking of Multiple Tasks", CVPR 2019): Δm = (100/K) Σ_i (−1)^{l_i}
 * (M_m,i − M_b,i) / M_b,i over all K metrics of all tasks, with l_i = 1 when lower is better. Positive means
 * the multi-task model beats the single-task models on average.
 *
 * The Nash-MTL, CAGrad and FAMO tables (and LibMTL's benchmark tables) print the same quantity with the
 * opposite sign, "Δm% ↓", where lower is better: their value is `-deltaM(...)`.
 */
export function deltaM(entries: readonly DeltaMEntry[]): number {
  if (entries.length === 0) {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: 'Δm needs at least one metric with a single-task baseline' });
  }
  let total = 0;
  for (const e of entries) {
    if (!Number.isFinite(e.value)) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Δm: metric "${e.name}" of the multi-task model is ${e.value}` });
    }
    if (!Number.isFinite(e.baseline) || e.baseline === 0) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', {
        what: `Δm: the single-task baseline of "${e.name}" is ${e.baseline}`,
        why: 'Δm divides by the baseline, so it must be a finite non-zero number.',
        fix: 'Leave this metric out of Δm, or report it separately.',
      });
    }
    const relative = (e.value - e.baseline) / e.baseline;
    total += e.higherIsBetter ? relative : -relative;
  }
  return (100 * total) / entries.length;
}

/**
 * Δm% from metric tables keyed alike (`{ 'seg/mIoU': 39.3, ... }`): every key of `baseline` must be in
 * `method`, and `higherIsBetter` says each key's direction.
 */
export function deltaMFromTables(
  method: Readonly<Record<string, number>>,
  baseline: Readonly<Record<string, number>>,
  higherIsBetter: Readonly<Record<string, boolean>>,
): number {
  const entries = Object.keys(baseline).map((name): DeltaMEntry => {
    const value = method[name];
    const direction = higherIsBetter[name];
    if (value === undefined) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Δm: the multi-task results have no metric "${name}"`, choices: Object.keys(method) });
    }
    if (direction === undefined) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Δm: no direction (higher or lower is better) for metric "${name}"`, choices: Object.keys(higherIsBetter) });
    }
    return { name, value, baseline: baseline[name]!, higherIsBetter: direction };
  });
  return deltaM(entries);
}
