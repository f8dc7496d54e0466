import { Rng } from '@graft/core';

/**
 * Split `indices` in two, holding out `fraction` of each class (rounded, at least one sample when the
 * class has two or more), so both parts keep the class balance.
 */
export function holdOutPerClass(labels: ArrayLike<number>, indices: ArrayLike<number>, fraction: number, seed: number): { kept: Int32Array; held: Int32Array } {
  const rng = new Rng(seed);
  const kept: number[] = [];
  const held: number[] = [];
  for (const [, members] of byClass(labels, indices)) {
    const order = rng.permutation(members.length);
    const n = members.length < 2 ? 0 : Math.min(members.length - 1, Math.max(1, Math.round(members.length * fraction)));
    order.forEach((o, i) => (i < n ? held : kept).push(members[o]!));
  }
  return { kept: Int32Array.from(kept.sort((a, b) => a - b)), held: Int32Array.from(held.sort((a, b) => a - b)) };
}

function byClass(labels: ArrayLike<number>, indices: ArrayLike<number>): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i]!;
    const cls = labels[idx]!;
    let members = map.get(cls);
    if (!members) map.set(cls, (members = []));
    members.push(idx);
  }
  return new Map([...map.entries()].sort((a, b) => a[0] - b[0]));
}
