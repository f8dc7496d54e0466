import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng, type StepInfo, type Weighting, type WeightingMethod } from '@graft/core';

/** Options of {@link weightingContract}. */
export interface WeightingContractOptions {
  /** The weighting's options as written in a config (before parsing). @default {} */
  options?: Record<string, unknown>;
  /** Task names the method is built for. @default ['a', 'b', 'c'] */
  tasks?: readonly string[];
}

/** The same stream, at the same point: what a resumed run's restored random state is. */
function cloneRng(rng: Rng): Rng {
  return Object.assign(Object.create(Object.getPrototypeOf(rng) as object) as Rng, rng);
}

/** Per-task losses (and, for gradient weightings, per-task gradients over 6 shared parameters) at step `s`. */
function stepInputs(s: number, tasks: number): { losses: number[]; grads: number[][] } {
  const losses = Array.from({ length: tasks }, (_, k) => 0.5 + ((s * 7 + k * 3) % 5) * 0.3);
  const grads = Array.from({ length: tasks }, (_, k) => Array.from({ length: 6 }, (_, p) => Math.sin(1 + s + 2 * k + 3 * p)));
  return { losses, grads };
}

const stepInfo = (s: number, tasks?: readonly number[]): StepInfo => ({ step: s, epoch: Math.floor(s / 2), stepsPerEpoch: 2, ...(tasks ? { tasks } : {}) });

/** One step of `method`: the combined loss (loss kind) or combined gradient (gradient kind), read to the host. */
async function combine(method: WeightingMethod, losses: number[], grads: number[][], step: StepInfo): Promise<number[]> {
  if (method.kind === 'loss') {
    const out = tf.tidy(() => method.combine(losses.map((l) => tf.scalar(l)), step));
    const values = Array.from(await out.data());
    out.dispose();
    return values;
  }
  const inputs = grads.map((g) => tf.tensor1d(g));
  const out = await method.combine(inputs, losses, step);
  const values = Array.from(await out.data());
  out.dispose();
  inputs.forEach((t) => t.dispose());
  return values;
}

/** Run steps `from`..`to - 1` (ending epochs every second step as the loop would). */
async function runSteps(method: WeightingMethod, tasks: number, from: number, to: number): Promise<number[][]> {
  const outs: number[][] = [];
  for (let s = from; s < to; s++) {
    const { losses, grads } = stepInputs(s, tasks);
    outs.push(await combine(method, losses, grads, stepInfo(s)));
    if (s % 2 === 1) method.endEpoch?.(losses);
  }
  return outs;
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i]!, 0);
}

/**
 * What every multi-task weighting must satisfy: strict options; a method whose combined loss or gradient is
 * finite; a loss weighting's weights (∂combined/∂loss_i) non-negative and finite, not all zero; a gradient
 * weighting that, when every task's gradient agrees, moves along it; steps that hand over only some tasks
 * (`sampling`) work; and a resumed method (its `state()` through JSON, its variables and the random stream
 * restored) combines exactly as the uninterrupted one.
 */
export function weightingContract(weighting: Weighting, contract: WeightingContractOptions = {}): void {
  const tasks = contract.tasks ?? ['a', 'b', 'c'];
  const options = () => weighting.options.parse(contract.options ?? {});
  const create = (rng = new Rng(7)) => weighting.create({ tasks, options: options(), rng });

  describe(`weighting contract: ${weighting.name}`, () => {
    it('has a name, a description and strict options', () => {
      expect(weighting.name).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      expect(weighting.description.length).toBeGreaterThan(10);
      expect(weighting.options.safeParse({ ...contract.options, __unknown__: 1 }).success).toBe(false);
      expect(['loss', 'gradient']).toContain(create().kind);
    });

    it('combines into finite values, with one finite weight per task', async () => {
      const method = create();
      const [out] = await runSteps(method, tasks.length, 0, 1);
      expect(out!.every(Number.isFinite)).toBe(true);
      if (method.kind === 'loss') expect(out).toHaveLength(1);
      else expect(out).toHaveLength(6);
      const weights = await method.currentWeights();
      expect(weights).toHaveLength(tasks.length);
      expect(weights.every(Number.isFinite)).toBe(true);
    });

    it('weighs each task loss non-negatively (loss kind), or moves along the gradient all tasks agree on (gradient kind)', async () => {
      const method = create();
      if (method.kind === 'loss') {
        const losses = [0.9, 1.4, 0.3].slice(0, tasks.length);
        const g = tf.grads((...ls: tf.Tensor[]) => method.combine(ls as tf.Scalar[], stepInfo(0)));
        const dl = g(losses.map((l) => tf.scalar(l)));
        const weights = dl.map((t) => t.dataSync()[0]!);
        dl.forEach((t) => t.dispose());
        expect(weights.every((w) => Number.isFinite(w) && w >= 0), `∂combined/∂loss = ${weights}`).toBe(true);
        expect(weights.some((w) => w > 0)).toBe(true);
      } else {
        const common = [0.3, -1.2, 0.8, 0.05, -0.4, 1.1];
        const out = await combine(method, tasks.map(() => 1), tasks.map(() => common), stepInfo(0));
        const cosine = dot(out, common) / Math.sqrt(dot(out, out) * dot(common, common));
        expect(cosine, 'cosine between the combined and the common gradient').toBeGreaterThan(1 - 1e-4);
      }
    });

    it('combines a step that hands over only some tasks', async () => {
      if (tasks.length < 2) return;
      const method = create();
      const present = [0, tasks.length - 1];
      const { losses, grads } = stepInputs(3, tasks.length);
      const out = await combine(method, present.map((k) => losses[k]!), present.map((k) => grads[k]!), stepInfo(0, present));
      expect(out.every(Number.isFinite)).toBe(true);
    });

    it('resumes: state through JSON, variables and the random stream restored give the same next steps', async () => {
      const rng = new Rng(11);
      const original = create(rng);
      await runSteps(original, tasks.length, 0, 4);
      const state = JSON.parse(JSON.stringify(original.state?.() ?? null)) as unknown;
      const resumed = create(cloneRng(rng));
      if (original.state) resumed.restore?.(state);
      if (original.kind === 'loss' && resumed.kind === 'loss' && original.variables) {
        const saved = original.variables();
        for (const [key, variable] of Object.entries(resumed.variables?.() ?? {})) variable.assign(saved[key]!);
      }
      const expected = await runSteps(original, tasks.length, 4, 7);
      const actual = await runSteps(resumed, tasks.length, 4, 7);
      expect(actual).toEqual(expected);
      expect(await resumed.currentWeights()).toEqual(await original.currentWeights());
    });
  });
}
