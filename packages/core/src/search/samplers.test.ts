import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng } from '../train/rng.js';
import { medianPruner } from './pruner.js';
import { gridSampler, randomSampler, tpeSampler, type Observation, type Sampler } from './samplers.js';
import { parseSpace, type Params } from './space.js';

// A known function with its minimum 0 at lr = 1e-3, momentum = 0.9, dropout = 0.2, epochs = 7, optimizer = adam:
// the shape of a learning-rate search, with a log-scale valley, an integer and a categorical choice.
const space = parseSpace({
  lr: { logUniform: [1e-6, 1] },
  momentum: { uniform: [0, 1] },
  dropout: { uniform: [0, 0.9] },
  epochs: { int: [1, 20] },
  optimizer: ['sgd', 'adam', 'rmsprop'],
});
function objective(p: Params): number {
  const lr = Math.log10(p.lr as number) + 3;
  const epochs = ((p.epochs as number) - 7) / 10;
  return lr ** 2 + 10 * ((p.momentum as number) - 0.9) ** 2 + 10 * ((p.dropout as number) - 0.2) ** 2 + epochs ** 2 + (p.optimizer === 'adam' ? 0 : 0.3);
}

function minimise(sampler: Sampler, trials: number, seed: number): number {
  const history: Observation[] = [];
  for (let n = 0; n < trials; n++) {
    const params = sampler.suggest(n, history, new Rng(deriveSeed(seed, n)));
    history.push({ params, loss: objective(params) });
  }
  return Math.min(...history.map((o) => o.loss));
}

describe('samplers', () => {
  it('draws random points inside each domain', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const p = randomSampler(space).suggest(i, [], rng);
      expect(p.lr).toBeGreaterThanOrEqual(1e-6);
      expect(p.lr).toBeLessThanOrEqual(1);
      expect(['sgd', 'adam', 'rmsprop']).toContain(p.optimizer);
    }
  });

  it('TPE finds lower values than random search on a known function, over 10 seeds', () => {
    const seeds = Array.from({ length: 10 }, (_, i) => i);
    const tpe = seeds.map((s) => minimise(tpeSampler(space, { startup: 10 }), 40, s));
    const random = seeds.map((s) => minimise(randomSampler(space), 40, s));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(tpe)).toBeLessThan(mean(random) * 0.6);
    expect(tpe.filter((v, i) => v < random[i]!).length).toBeGreaterThanOrEqual(7);
  });

  it('TPE proposes the same point for the same history and seed', () => {
    const history: Observation[] = [];
    for (let n = 0; n < 15; n++) history.push({ params: randomSampler(space).suggest(n, [], new Rng(n)), loss: n });
    const a = tpeSampler(space).suggest(15, history, new Rng(99));
    const b = tpeSampler(space).suggest(15, history, new Rng(99));
    expect(a).toEqual(b);
  });

  it('the grid walks every combination in order', () => {
    const grid = gridSampler(parseSpace({ a: [1, 2], b: ['x', 'y'] }));
    expect(grid.size).toBe(4);
    expect([0, 1, 2, 3].map((n) => grid.suggest(n, [], new Rng(0)))).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });
});

describe('medianPruner', () => {
  const reference = [
    [0.1, 0.2, 0.1],
    [0.3, 0.3, 0.3],
    [0.5, 0.4, 0.6],
  ];

  it('prunes a trial whose running mean is worse than the median of the reference at the same fold', () => {
    expect(medianPruner().shouldPrune([0.6], reference)).toBe(true);
    expect(medianPruner().shouldPrune([0.2], reference)).toBe(false);
    // After two folds: running means of the reference are 0.15, 0.3, 0.45 → median 0.3.
    expect(medianPruner().shouldPrune([0.2, 0.5], reference)).toBe(true);
    expect(medianPruner().shouldPrune([0.2, 0.3], reference)).toBe(false);
  });

  it('prunes nothing before it has `startup` finished trials', () => {
    expect(medianPruner({ startup: 4 }).shouldPrune([10], reference)).toBe(false);
  });
});
