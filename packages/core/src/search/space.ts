import { GraftError } from '../errors.js';

/**
 * One searched parameter, addressed by its path in the config (`stages[1].lr`). A list is a categorical
 * choice; the ranges draw numbers (`logUniform` on a log scale, `int` inclusive of both ends).
 */
export type ParamSpec =
  | readonly (string | number | boolean)[]
  | { uniform: readonly [number, number] }
  | { logUniform: readonly [number, number] }
  | { int: readonly [number, number] };

export type ParamValue = string | number | boolean;

/** A parameter ready for sampling: its path split into keys and indices, and its domain. */
export type Param =
  | { path: string; keys: PathKey[]; kind: 'choice'; choices: ParamValue[] }
  | { path: string; keys: PathKey[]; kind: 'uniform' | 'logUniform'; low: number; high: number }
  | { path: string; keys: PathKey[]; kind: 'int'; low: number; high: number };

export type PathKey = string | number;

/** Parameters by path: one trial's point in the space. */
export type Params = Record<string, ParamValue>;

/** `stages[1].discriminative.factor` → ['stages', 1, 'discriminative', 'factor']. */
export function parsePath(path: string, where: string): PathKey[] {
  const keys: PathKey[] = [];
  const pattern = /([A-Za-z_$][\w$-]*)|\[(\d+)\]|(\.)/gy;
  let expectKey = true;
  let last = 0;
  for (let m = pattern.exec(path); m; m = pattern.exec(path)) {
    if (m[1] !== undefined) {
      if (!expectKey) break;
      keys.push(m[1]);
      expectKey = false;
    } else if (m[2] !== undefined) {
      if (keys.length === 0) break;
      keys.push(Number(m[2]));
      expectKey = false;
    } else {
      if (expectKey) break;
      expectKey = true;
    }
    last = pattern.lastIndex;
  }
  if (last !== path.length || expectKey || keys.length === 0) {
    throw new GraftError('GRAFT_SEARCH_INVALID', {
      what: `"${path}" is not a config path`,
      where,
      fix: 'Write a path as in the config, e.g. `stages[1].lr` or `tasks[0].data.perClass`',
    });
  }
  return keys;
}

/** The parameters of a `search.space` block, each checked for its own shape. */
export function parseSpace(space: Record<string, unknown>, where = 'search.space'): Param[] {
  const entries = Object.entries(space);
  if (entries.length === 0) {
    throw new GraftError('GRAFT_SEARCH_INVALID', { what: 'The search space is empty', where, fix: 'Add at least one parameter, e.g. `stages[0].lr: { logUniform: [1e-4, 1e-1] }`' });
  }
  return entries.map(([path, spec]) => parseParam(path, spec, `${where}["${path}"]`));
}

function parseParam(path: string, spec: unknown, where: string): Param {
  const keys = parsePath(path, where);
  const invalid = (what: string, fix: string) => new GraftError('GRAFT_SEARCH_INVALID', { what: `${what} for "${path}"`, where, fix });
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw invalid('An empty list of choices', 'List at least one value, e.g. `[1, 2.6]`');
    if (!spec.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) throw invalid('Choices must be strings, numbers or booleans', 'Write a list of plain values');
    return { path, keys, kind: 'choice', choices: [...spec] as ParamValue[] };
  }
  const kinds = ['uniform', 'logUniform', 'int'] as const;
  const kind = spec && typeof spec === 'object' ? kinds.find((k) => k in spec) : undefined;
  if (!kind || Object.keys(spec as object).length !== 1) {
    throw invalid('Not a parameter: expected a list of choices or one of { uniform | logUniform | int: [low, high] }', 'e.g. `{ logUniform: [1e-5, 1e-2] }` or `[linear-probe, lp-ft]`');
  }
  const range = (spec as Record<string, unknown>)[kind];
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw invalid(`${kind} needs two finite numbers [low, high], got ${JSON.stringify(range)}`, `Write \`{ ${kind}: [low, high] }\``);
  }
  const [low, high] = range as [number, number];
  if (!(low < high)) throw invalid(`${kind} needs low < high, got [${low}, ${high}]`, 'Put the smaller bound first');
  if (kind === 'logUniform' && low <= 0) throw invalid(`logUniform needs positive bounds, got [${low}, ${high}]`, 'Use positive bounds, or `uniform` for ranges that include 0');
  if (kind === 'int' && !(Number.isInteger(low) && Number.isInteger(high))) throw invalid(`int needs integer bounds, got [${low}, ${high}]`, 'Use integers, or `uniform`');
  return { path, keys, kind, low, high };
}

/** A copy of `raw` with each parameter set at its path. The parent of every path must exist. */
export function applyParams(raw: unknown, params: readonly Param[], values: Params): Record<string, unknown> {
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const param of params) {
    if (!(param.path in values)) continue;
    let node: unknown = copy;
    const walked: string[] = [];
    for (const key of param.keys.slice(0, -1)) {
      const next = isContainer(node) ? (node as Record<PathKey, unknown>)[key] : undefined;
      walked.push(typeof key === 'number' ? `[${key}]` : `${walked.length ? '.' : ''}${key}`);
      if (!isContainer(next)) {
        throw new GraftError('GRAFT_SEARCH_INVALID', {
          what: `The search parameter "${param.path}" points into "${walked.join('')}", which the config does not have`,
          where: `search.space["${param.path}"]`,
          fix: Array.isArray(node) ? `The config has ${node.length} entries there (indices 0–${node.length - 1})` : 'Add that block to the config first, or fix the path',
        });
      }
      node = next;
    }
    const last = param.keys[param.keys.length - 1]!;
    if (Array.isArray(node) && (typeof last !== 'number' || last >= node.length)) {
      throw new GraftError('GRAFT_SEARCH_INVALID', { what: `The search parameter "${param.path}" indexes past the end of a list of ${node.length}`, where: `search.space["${param.path}"]` });
    }
    (node as Record<PathKey, unknown>)[last] = values[param.path];
  }
  return copy;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Every point of a space made of choices only (int ranges count as choices), in a fixed order. */
export function gridPoints(params: readonly Param[]): Params[] {
  let points: Params[] = [{}];
  for (const param of params) {
    let values: ParamValue[];
    if (param.kind === 'choice') values = param.choices;
    else if (param.kind === 'int') values = Array.from({ length: param.high - param.low + 1 }, (_, i) => param.low + i);
    else {
      throw new GraftError('GRAFT_SEARCH_INVALID', {
        what: `The grid sampler cannot enumerate the continuous range of "${param.path}"`,
        where: `search.space["${param.path}"]`,
        fix: 'List the values to try (e.g. `[1e-4, 1e-3, 1e-2]`), or use `sampler: random` or `sampler: tpe`',
      });
    }
    points = points.flatMap((p) => values.map((v) => ({ ...p, [param.path]: v })));
  }
  return points;
}
