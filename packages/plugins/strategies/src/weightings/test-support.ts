import * as tf from '@tensorflow/tfjs';
import { Rng, type GradientWeightingMethod, type Weighting } from '@graft/core';

/** A gradient weighting's method over tasks `t0..t{n-1}`, seeded (tests only). */
export function createGradientMethod(w: Weighting, tasks: number, options: object = {}, seed = 1): GradientWeightingMethod {
  const m = w.create({ tasks: Array.from({ length: tasks }, (_, i) => `t${i}`), options: w.options.parse(options), rng: new Rng(seed) });
  if (m.kind !== 'gradient') throw new Error('expected a gradient method');
  return m;
}

/** One `combine` on plain arrays, returning the combined vector and freeing every tensor (tests only). */
export async function combineOnce(m: GradientWeightingMethod, grads: number[][], losses = grads.map(() => 1)): Promise<number[]> {
  const tensors = grads.map((g) => tf.tensor1d(g));
  const out = await m.combine(tensors, losses, { step: 0, epoch: 0, stepsPerEpoch: 1 });
  const values = Array.from(out.dataSync());
  out.dispose();
  tensors.forEach((t) => t.dispose());
  return values;
}
