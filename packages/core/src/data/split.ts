import type { Rng } from '../train/rng.js';
import type { TargetColumn } from './examples.js';

/**
 * Sample indices grouped by class: one stratum per class of a classification column, one for the
 * unlabelled samples, and a single stratum for everything when there is no class column.
 */
function strata(n: number, labels: TargetColumn | undefined): number[][] {
  if (!labels) return [Array.from({ length: n }, (_, i) => i)];
  const byClass = new Map<number, number[]>();
  const unlabelled: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels.mask && labels.mask[i] === 0) {
      unlabelled.push(i);
      continue;
    }
    const c = labels.data[i]!;
    let members = byClass.get(c);
    if (!members) byClass.set(c, (members = []));
    members.push(i);
  }
  const out = [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c)!);
  if (unlabelled.length > 0) out.push(unlabelled);
  return out;
}

/**
 * A stratified hold-out: from each class, `round(count × fraction)` samples (at least one, and never the
 * class's last one) are held out, chosen by `rng`. Unlabelled samples form their own stratum. `labels`
 * undefined (a regression target) gives a plain seeded draw. Both parts are in ascending index order.
 */
export function stratifiedSplit(n: number, labels: TargetColumn | undefined, fraction: number, rng: Rng): { kept: Int32Array; held: Int32Array } {
  const held: number[] = [];
  for (const members of strata(n, labels)) {
    const order = rng.permutation(members.length);
    const want = members.length < 2 ? 0 : Math.min(members.length - 1, Math.max(1, Math.round(members.length * fraction)));
    for (let j = 0; j < want; j++) held.push(members[order[j]!]!);
  }
  const isHeld = new Uint8Array(n);
  for (const i of held) isHeld[i] = 1;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (!isHeld[i]) kept.push(i);
  return { kept: Int32Array.from(kept), held: Int32Array.from(held.sort((a, b) => a - b)) };
}

/**
 * Stratified k-fold assignment (the fold of every sample): each class's samples, in a seeded order, are
 * dealt round-robin to the `count` folds, continuing where the previous class stopped, so every fold holds
 * each class in proportion (±1) and fold sizes differ by at most one. `labels` undefined: unstratified.
 */
export function stratifiedFolds(n: number, labels: TargetColumn | undefined, count: number, rng: Rng): Int32Array {
  const fold = new Int32Array(n);
  let next = 0;
  for (const members of strata(n, labels)) {
    const order = rng.permutation(members.length);
    for (let j = 0; j < members.length; j++) {
      fold[members[order[j]!]!] = next;
      next = (next + 1) % count;
    }
  }
  return fold;
}
