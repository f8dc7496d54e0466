import { describe, expect, it } from 'vitest';
import { applyParams, gridPoints, parsePath, parseSpace } from './space.js';

describe('parsePath', () => {
  it('splits keys and indices', () => {
    expect(parsePath('stages[1].discriminative.factor', 'x')).toEqual(['stages', 1, 'discriminative', 'factor']);
    expect(parsePath('seed', 'x')).toEqual(['seed']);
  });

  it.each(['', 'stages[', '[0].lr', 'stages..lr', 'stages[1]lr', 'stages.', 'a b'])('refuses %j', (path) => {
    expect(() => parsePath(path, 'search.space')).toThrow(/GRAFT_SEARCH_INVALID: ".*" is not a config path at search.space/);
  });
});

describe('parseSpace', () => {
  it('reads choices and ranges', () => {
    const params = parseSpace({ 'stages[0].lr': { logUniform: [1e-5, 1e-2] }, 'stages[0].use': ['fine-tune', 'lp-ft'], 'stages[0].epochs': { int: [1, 3] } });
    expect(params.map((p) => p.kind)).toEqual(['logUniform', 'choice', 'int']);
  });

  it('refuses an empty space, an empty list, ranges of the wrong type or order', () => {
    expect(() => parseSpace({})).toThrowErrorMatchingInlineSnapshot(`[GraftError: GRAFT_SEARCH_INVALID: The search space is empty at search.space. Add at least one parameter, e.g. \`stages[0].lr: { logUniform: [1e-4, 1e-1] }\`.]`);
    expect(() => parseSpace({ 'stages[0].lr': [] })).toThrow(/An empty list of choices for "stages\[0\].lr"/);
    expect(() => parseSpace({ 'stages[0].lr': { logUniform: ['a', 1] } })).toThrow(/logUniform needs two finite numbers \[low, high\], got \["a",1\]/);
    expect(() => parseSpace({ 'stages[0].lr': { uniform: [1, 0] } })).toThrow(/needs low < high/);
    expect(() => parseSpace({ 'stages[0].lr': { logUniform: [0, 1] } })).toThrow(/logUniform needs positive bounds/);
    expect(() => parseSpace({ 'stages[0].epochs': { int: [1.5, 3] } })).toThrow(/int needs integer bounds/);
    expect(() => parseSpace({ 'stages[0].lr': { normal: [0, 1] } })).toThrow(/Not a parameter/);
  });
});

describe('applyParams', () => {
  const raw = { stages: [{ use: 'linear-probe', lr: 0.1 }, { use: 'fine-tune', lr: 0.01, discriminative: { factor: 2.6 } }] };

  it('sets values at their paths on a copy', () => {
    const params = parseSpace({ 'stages[1].lr': { uniform: [0, 1] }, 'stages[1].discriminative.factor': [1, 2.6] });
    const out = applyParams(raw, params, { 'stages[1].lr': 0.5, 'stages[1].discriminative.factor': 1 }) as typeof raw;
    expect(out.stages[1]).toEqual({ use: 'fine-tune', lr: 0.5, discriminative: { factor: 1 } });
    expect(raw.stages[1]!.lr).toBe(0.01);
  });

  it('refuses a path whose parent the config does not have', () => {
    const params = parseSpace({ 'stages[2].lr': [0.1] });
    expect(() => applyParams(raw, params, { 'stages[2].lr': 0.1 })).toThrowErrorMatchingInlineSnapshot(
      `[GraftError: GRAFT_SEARCH_INVALID: The search parameter "stages[2].lr" points into "stages[2]", which the config does not have at search.space["stages[2].lr"]. The config has 2 entries there (indices 0–1).]`,
    );
    const missing = parseSpace({ 'stages[0].schedule.warmup': [0.1] });
    expect(() => applyParams(raw, missing, { 'stages[0].schedule.warmup': 0.1 })).toThrow(/points into "stages\[0\].schedule", which the config does not have/);
  });
});

describe('gridPoints', () => {
  it('enumerates every combination of choices and int ranges', () => {
    const points = gridPoints(parseSpace({ a: [1, 2], b: { int: [0, 2] } }));
    expect(points).toHaveLength(6);
    expect(points[0]).toEqual({ a: 1, b: 0 });
    expect(points[5]).toEqual({ a: 2, b: 2 });
  });

  it('refuses a continuous range', () => {
    expect(() => gridPoints(parseSpace({ lr: { logUniform: [1e-4, 1e-2] } }))).toThrow(/The grid sampler cannot enumerate the continuous range of "lr"/);
  });
});
