import * as tf from '@tensorflow/tfjs';
import { equal, Rng, type LossWeightingMethod, type Weighting } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import { dwa } from './dwa.js';
import { weightings } from './index.js';
import { rlw } from './rlw.js';
import { staticWeighting } from './static.js';
import { uncertainty } from './uncertainty.js';

const TASKS = ['species', 'sex', 'mass'];

function create(w: Weighting, options: object = {}, tasks = TASKS, seed = 1): LossWeightingMethod {
  const m = w.create({ tasks, options: w.options.parse(options), rng: new Rng(seed) });
  if (m.kind !== 'loss') throw new Error('expected a loss method');
  return m;
}

const STEP = { step: 0, epoch: 0, stepsPerEpoch: 1 };

function value(m: LossWeightingMethod, losses: number[]): number {
  const ts = losses.map((l) => tf.scalar(l));
  const out = m.combine(ts, STEP);
  const v = out.dataSync()[0]!;
  out.dispose();
  ts.forEach((t) => t.dispose());
  return v;
}

describe('weightings list', () => {
  it('names each weighting once, with strict options that have defaults', () => {
    const names = weightings.map((w) => w.name);
    expect(names).toEqual(['static', 'uncertainty', 'dwa', 'rlw', 'gradnorm', 'pcgrad', 'mgda', 'cagrad']);
    for (const w of weightings) {
      expect(w.options.safeParse({}).success, w.name).toBe(true);
      expect(w.options.safeParse({ nope: 1 }).success, w.name).toBe(false);
    }
    expect(weightings.find((w) => w.name === 'cagrad')!.options.parse({})).toEqual({ c: 0.5, rescale: true });
    expect(weightings.find((w) => w.name === 'gradnorm')!.options.parse({})).toEqual({ alpha: 1.5, lr: 0.025 });
    expect(weightings.find((w) => w.name === 'dwa')!.options.parse({})).toEqual({ temperature: 2 });
  });
});

describe('equal', () => {
  it('sums the losses', () => {
    expect(value(create(equal), [1, 2, 3.5])).toBeCloseTo(6.5, 6);
  });
});

describe('static', () => {
  it('applies the given weights and weight 1 to unlisted tasks', async () => {
    const m = create(staticWeighting, { weights: { species: 2, mass: 0.1 } });
    expect(await m.currentWeights()).toEqual([2, 1, 0.1]);
    expect(value(m, [1, 2, 10])).toBeCloseTo(2 + 2 + 1, 5);
  });

  it('rejects weights for tasks that do not exist, naming them and the tasks', () => {
    expect(() => create(staticWeighting, { weights: { specie: 2, mas: 1, sex: 1 } })).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_CONFIG_INVALID: weighting "static" sets weights for tasks that do not exist: "specie", "mas" at weighting.weights. Valid choices: species, sex, mass. Key the weights by the names of the tasks in \`tasks\`.]`,
    );
  });

  it('rejects weights that are all zero, and negative weights', () => {
    expect(() => create(staticWeighting, { weights: { species: 0, sex: 0, mass: 0 } })).toThrowError(/GRAFT_CONFIG_INVALID: weighting "static" gives every task weight 0/);
    expect(staticWeighting.options.safeParse({ weights: { species: -1 } }).success).toBe(false);
  });
});

describe('uncertainty', () => {
  it('computes Σ exp(−s_i) L_i + s_i and its gradient w.r.t. the log-variances matches the analytic one', async () => {
    const m = create(uncertainty);
    const vars = Object.values(m.variables!());
    expect(Object.keys(m.variables!())).toEqual(TASKS.map((t) => `uncertainty/logVariance/${t}`));
    const s = [0.3, -1.2, 2];
    vars.forEach((v, i) => v.assign(tf.scalar(s[i]!)));
    const losses = [0.7, 2.5, 0.05];
    const expected = losses.reduce((acc, l, i) => acc + Math.exp(-s[i]!) * l + s[i]!, 0);
    expect(value(m, losses)).toBeCloseTo(expected, 5);

    const lossTensors = losses.map((l) => tf.scalar(l));
    const { grads } = tf.variableGrads(() => m.combine(lossTensors, STEP), vars);
    vars.forEach((v, i) => {
      const analytic = 1 - Math.exp(-s[i]!) * losses[i]!; // ∂/∂s_i
      expect(grads[v.name]!.dataSync()[0]).toBeCloseTo(analytic, 5);
    });
    // ∂/∂L_i = exp(−s_i): the effective task weight.
    const dl = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => m.combine([a, b, c] as tf.Scalar[], STEP))(lossTensors);
    dl.forEach((g, i) => expect(g.dataSync()[0]).toBeCloseTo(Math.exp(-s[i]!), 5));
    expect((await m.currentWeights()).map((w) => Number(w.toFixed(5)))).toEqual(s.map((x) => Number(Math.exp(-x).toFixed(5))));
  });

  it('learns s_i = log L_i when the losses are held fixed (loss falls)', () => {
    const m = create(uncertainty);
    const vars = Object.values(m.variables!());
    const losses = [0.5, 2, 8].map((l) => tf.scalar(l));
    const optimizer = tf.train.sgd(0.2);
    const before = m.combine(losses, STEP).dataSync()[0]!;
    for (let i = 0; i < 300; i++) optimizer.minimize(() => m.combine(losses, STEP), false, vars);
    const after = m.combine(losses, STEP).dataSync()[0]!;
    expect(after).toBeLessThan(before);
    vars.forEach((v, i) => expect(v.dataSync()[0]).toBeCloseTo(Math.log([0.5, 2, 8][i]!), 3));
  });
});

describe('dwa', () => {
  it('uses weight 1 for the first two epochs, then the softmax of loss ratios over T = 2 (hand-computed)', async () => {
    const m = create(dwa, {}, ['a', 'b']);
    expect(await m.currentWeights()).toEqual([1, 1]);
    m.endEpoch!([1, 2]);
    expect(await m.currentWeights()).toEqual([1, 1]);
    m.endEpoch!([0.5, 1.8]);
    // r = (0.5, 0.9); w_a = 2 e^{0.25} / (e^{0.25} + e^{0.45}) = 2 / (1 + e^{0.2}) = 0.900332..., w_b = 1.099667...
    const [wa, wb] = await m.currentWeights();
    expect(wa).toBeCloseTo(0.900332005375044, 9);
    expect(wb).toBeCloseTo(1.099667994624956, 9);
    expect(value(m, [1, 1])).toBeCloseTo(2, 5);
    expect(value(m, [2, 0])).toBeCloseTo(1.8006640107500884, 5);
  });

  it('forgets epochs older than the last two and resumes from its state', async () => {
    const m = create(dwa, { temperature: 1 }, ['a', 'b']);
    m.endEpoch!([9, 9]);
    m.endEpoch!([1, 1]);
    m.endEpoch!([1, 2]); // r = (1, 2): w_a = 2 / (1 + e) = 0.537882...
    expect((await m.currentWeights())[0]).toBeCloseTo(0.5378828427399902, 6);
    const copy = create(dwa, { temperature: 1 }, ['a', 'b']);
    copy.restore!(JSON.parse(JSON.stringify(m.state!())));
    expect(await copy.currentWeights()).toEqual(await m.currentWeights());
    expect(() => copy.restore!({ history: [[1, 2, 3]] })).toThrowError(/GRAFT_CHECKPOINT_MISMATCH/);
  });
});

describe('rlw', () => {
  it('draws softmax(normal) weights from the run stream: reproducible from a seed, positive, summing to 1', async () => {
    const draws = async (seed: number): Promise<number[][]> => {
      const m = create(rlw, {}, TASKS, seed);
      const out: number[][] = [];
      for (let i = 0; i < 5; i++) {
        value(m, [1, 1, 1]);
        out.push(await m.currentWeights());
      }
      return out;
    };
    expect(await draws(42)).toEqual(await draws(42));
    expect(await draws(42)).not.toEqual(await draws(43));
    for (const w of await draws(7)) {
      expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      for (const x of w) expect(x).toBeGreaterThan(0);
    }
  });

  it('combines with the weights it reports, and its weights average 1/T', async () => {
    const m = create(rlw, {}, TASKS, 3);
    const sums = [0, 0, 0];
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const v = value(m, [1, 10, 100]);
      const w = await m.currentWeights();
      expect(v).toBeCloseTo(w[0]! + 10 * w[1]! + 100 * w[2]!, 3);
      w.forEach((x, k) => (sums[k] = sums[k]! + x));
    }
    // E[softmax(z)_i] = 1/3 by symmetry; the standard error of the mean over 4000 draws is below 0.004.
    for (const s of sums) expect(Math.abs(s / n - 1 / 3)).toBeLessThan(0.015);
  });
});

describe('every weighting', () => {
  it('leaves no tensors behind when it combines (the loop disposes only its inputs and the result)', async () => {
    for (const w of weightings) {
      const m = w.create({ tasks: ['a', 'b', 'c'], options: w.options.parse({}), rng: new Rng(1) });
      const inputs = m.kind === 'loss' ? [1, 2, 3].map((l) => tf.scalar(l)) : [[1, 0], [-1, 1], [0, 2]].map((g) => tf.tensor1d(g));
      const before = tf.memory().numTensors;
      for (let step = 0; step < 3; step++) {
        const out =
          m.kind === 'loss'
            ? m.combine(inputs as tf.Scalar[], { step, epoch: 0, stepsPerEpoch: 3 })
            : await m.combine(inputs as tf.Tensor1D[], [1, 2, 3], { step, epoch: 0, stepsPerEpoch: 3 });
        out.dispose();
      }
      expect(tf.memory().numTensors, w.name).toBe(before);
      tf.dispose(inputs);
    }
  });
});

describe('loss weightings with absent tasks (task sampling)', () => {
  it('renormalise the present tasks’ weights to the mean weight of all tasks', async () => {
    const { presentWeights } = await import('./weighted-sum.js');
    const step = { step: 0, epoch: 0, stepsPerEpoch: 1, tasks: [0, 2] };
    const w = presentWeights([2, 1, 1], step);
    expect(w[0]).toBeCloseTo(16 / 9, 12);
    expect(w[1]).toBeCloseTo(8 / 9, 12);
    expect(presentWeights([1, 1, 1], step)).toEqual([1, 1]);
    expect(presentWeights([2, 1, 1])).toEqual([2, 1, 1]);
    expect(presentWeights([0, 1, 0], step)).toEqual([0, 0]);
  });

  it('static applies the weight of the task each loss belongs to', () => {
    const m = create(staticWeighting, { weights: { species: 3, sex: 1, mass: 2 } });
    const ts = [tf.scalar(1), tf.scalar(10)];
    const out = m.combine(ts, { ...STEP, tasks: [1, 2] }); // sex and mass present: weights 1, 2 → scaled by 2·2/3
    expect(out.dataSync()[0]).toBeCloseTo((1 * 1 + 2 * 10) * (4 / 3), 4);
    tf.dispose([out, ...ts]);
  });
});
