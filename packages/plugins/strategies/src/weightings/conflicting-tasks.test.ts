import * as tf from '@tensorflow/tfjs';
import { equal, Rng, type Weighting } from '@graft/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { cagrad } from './cagrad.js';
import { gradnorm } from './gradnorm.js';
import { mgda } from './mgda.js';
import { pcgrad } from './pcgrad.js';
import { standardNormal } from './rlw.js';

/**
 * A shared linear layer θ ∈ R^10 read by two regression tasks, y_1 = X u_1 and y_2 = 10 · X u_2, with
 * cos(u_1, u_2) = −0.6: the task gradients conflict, and task 2's are about ten times larger. Equal
 * weighting settles at the minimiser of L_1 + L_2, (u_1 + 10 u_2)/2, where task 1 is far worse than at the
 * start; the gradient methods should protect it.
 */
function makeProblem(seed: number) {
  const rng = new Rng(seed);
  const d = 10;
  const n = 64;
  const unit = (v: number[]): number[] => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const u1 = unit(Array.from({ length: d }, () => standardNormal(rng)));
  const raw = Array.from({ length: d }, () => standardNormal(rng));
  const along = raw.reduce((s, x, i) => s + x * u1[i]!, 0);
  const v = unit(raw.map((x, i) => x - along * u1[i]!));
  const u2 = u1.map((x, i) => 10 * (-0.6 * x + 0.8 * v[i]!));
  const X = tf.tensor2d(Array.from({ length: n * d }, () => standardNormal(rng)), [n, d]);
  return { X, y1: tf.matMul(X, tf.tensor2d(u1, [d, 1])), y2: tf.matMul(X, tf.tensor2d(u2, [d, 1])), d };
}

const STEPS = 60;
const LR = 0.02;

/**
 * Full-batch gradient descent with the weighting; returns each task's final loss over its initial loss.
 * A gradient weighting's `combine` may be async, which `tf.tidy` cannot wrap, so each step frees its
 * tensors by hand.
 */
async function train(weighting: Weighting, seed: number): Promise<{ relative: number[]; totalBefore: number; totalAfter: number }> {
  const { X, y1, y2, d } = tf.tidy(() => makeProblem(seed));
  const theta = tf.variable(tf.zeros([d, 1]));
  try {
    const losses = [y1, y2].map((y) => () => tf.mean(tf.square(tf.sub(tf.matMul(X, theta), y))) as tf.Scalar);
    const method = weighting.create({ tasks: ['small', 'large'], options: weighting.options.parse({}), rng: new Rng(seed + 1000) });
    const read = (): number[] => tf.tidy(() => losses.map((f) => f().dataSync()[0]!));
    const initial = read();
    for (let step = 0; step < STEPS; step++) {
      const info = { step, epoch: 0, stepsPerEpoch: STEPS };
      let direction: tf.Tensor;
      if (method.kind === 'loss') {
        direction = tf.tidy(() => tf.variableGrads(() => method.combine(losses.map((f) => f()), info), [theta]).grads[theta.name]!);
      } else {
        const perTask = losses.map((f) => tf.variableGrads(f, [theta]));
        const grads = perTask.map((p) => p.grads[theta.name]!.reshape([-1]) as tf.Tensor1D);
        try {
          const combined = await method.combine(grads, perTask.map((p) => p.value.dataSync()[0]!), info);
          direction = combined.reshape([d, 1]);
          combined.dispose();
        } finally {
          tf.dispose([...grads, ...perTask.flatMap((p) => [p.value, ...Object.values(p.grads)])]);
        }
      }
      tf.tidy(() => theta.assign(tf.sub(theta, tf.mul(direction, LR))));
      direction.dispose();
    }
    const final = read();
    return { relative: final.map((f, i) => f / initial[i]!), totalBefore: initial[0]! + initial[1]!, totalAfter: final[0]! + final[1]! };
  } finally {
    tf.dispose([X, y1, y2, theta]);
  }
}

const SEEDS = [1, 2, 3, 4, 5];

describe('gradient weightings on two conflicting tasks of different scale', () => {
  const baseline: Awaited<ReturnType<typeof train>>[] = [];
  beforeAll(async () => {
    for (const seed of SEEDS) baseline.push(await train(equal, seed));
  });

  it('equal weighting sacrifices the small task (the premise)', () => {
    expect(baseline).toHaveLength(SEEDS.length);
    for (const run of baseline) {
      expect(run.totalAfter).toBeLessThan(run.totalBefore);
      expect(run.relative[0]!).toBeGreaterThan(run.relative[1]!);
      expect(run.relative[0]!).toBeGreaterThan(5); // observed 22.4–31.0: task 1 ends far worse than it started
    }
  });

  // Stated margins: the worse task's final/initial loss must be at least `factor` times lower than under
  // equal weighting, on every seed. Observed ratios (seeds 1–5): pcgrad 20.6–27.1×, mgda 52–73×,
  // gradnorm 19.1–31.5×, cagrad 1.88–2.93×. CAGrad with 0 ≤ c < 1 converges to the minimiser of the
  // average loss (Liu et al. 2021, convergence analysis), i.e. to equal's end point, so it only wins on the
  // way there: its margin is stated at this budget of 60 steps, by which equal's task-1 loss is within 8%
  // of its value after 300 steps.
  const cases: [Weighting, number][] = [
    [pcgrad, 5],
    [mgda, 5],
    [gradnorm, 5],
    [cagrad, 1.3],
  ];
  for (const [weighting, factor] of cases) {
    it(`${weighting.name} keeps the worse task at least ${factor}× better than equal, and the total loss falls`, async () => {
      for (const [i, seed] of SEEDS.entries()) {
        const run = await train(weighting, seed);
        expect(run.totalAfter, `seed ${seed}`).toBeLessThan(run.totalBefore);
        expect(run.relative[0]! * factor, `seed ${seed}: ${run.relative[0]} vs equal ${baseline[i]!.relative[0]}`).toBeLessThan(baseline[i]!.relative[0]!);
      }
    });
  }
});
