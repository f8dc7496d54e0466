import { Rng } from '../train/rng.js';
import { gridPoints, type Param, type Params, type ParamValue } from './space.js';

/** A finished trial as samplers see it: its point and its loss (lower is better, whatever the metric's direction). */
export interface Observation {
  params: Params;
  loss: number;
}

/** Proposes the next trial's parameters from the trials finished so far. Pure: same inputs, same point. */
export interface Sampler {
  readonly name: string;
  /** How many trials the sampler can propose at most (a grid's size), if bounded. */
  readonly size?: number;
  suggest(trial: number, history: readonly Observation[], rng: Rng): Params;
}

/** Every combination of the listed values, in order; trial n takes point n. */
export function gridSampler(params: readonly Param[]): Sampler {
  const points = gridPoints(params);
  return { name: 'grid', size: points.length, suggest: (trial) => ({ ...points[trial % points.length]! }) };
}

/** Independent draws from each parameter's domain (Bergstra & Bengio 2012). */
export function randomSampler(params: readonly Param[]): Sampler {
  return { name: 'random', suggest: (_trial, _history, rng) => Object.fromEntries(params.map((p) => [p.path, drawPrior(p, rng)])) };
}

function drawPrior(param: Param, rng: Rng): ParamValue {
  switch (param.kind) {
    case 'choice':
      return param.choices[rng.int(param.choices.length)]!;
    case 'uniform':
      return param.low + rng.next() * (param.high - param.low);
    case 'logUniform':
      return Math.exp(Math.log(param.low) + rng.next() * (Math.log(param.high) - Math.log(param.low)));
    case 'int':
      return param.low + rng.int(param.high - param.low + 1);
  }
}

export interface TpeOptions {
  /** Trials drawn at random before the model takes over. @default 10 */
  startup?: number;
  /** Fraction of the observations that form the "good" density l(x). hyperopt's default. @default 0.25 */
  gamma?: number;
  /** Candidates drawn from l(x) per parameter; the one with the highest l(x)/g(x) is proposed. @default 24 */
  candidates?: number;
}

/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011), univariate as in hyperopt and Optuna's default: the observations are split at
 * the γ-quantile of the loss into good and bad; for each parameter a Parzen density is fitted to each side
 * (Gaussians with adaptive widths on the (log) scale, smoothed counts for choices), and of `candidates` draws
 * from the good density the one maximising l(x)/g(x) — the expected improvement under the model, §4.1 — wins.
 */
export function tpeSampler(params: readonly Param[], options: TpeOptions = {}): Sampler {
  const startup = options.startup ?? 10;
  const gamma = options.gamma ?? 0.25;
  const candidates = options.candidates ?? 24;
  return {
    name: 'tpe',
    suggest(trial, history, rng) {
      const finite = history.filter((o) => Number.isFinite(o.loss));
      if (finite.length < startup) return randomSampler(params).suggest(trial, history, rng);
      const sorted = [...finite].sort((a, b) => a.loss - b.loss);
      const nGood = Math.max(1, Math.ceil(gamma * sorted.length));
      const good = sorted.slice(0, nGood);
      const bad = sorted.slice(nGood);
      return Object.fromEntries(
        params.map((p) => [p.path, p.kind === 'choice' ? suggestChoice(p, good, bad, rng, candidates) : suggestNumber(p, good, bad, rng, candidates)]),
      );
    },
  };
}

function suggestChoice(param: Extract<Param, { kind: 'choice' }>, good: readonly Observation[], bad: readonly Observation[], rng: Rng, candidates: number): ParamValue {
  // A prior weight of one per choice keeps every choice reachable (hyperopt's smoothing).
  const weights = (obs: readonly Observation[]) => {
    const w = param.choices.map(() => 1);
    for (const o of obs) {
      const i = param.choices.indexOf(o.params[param.path]!);
      if (i >= 0) w[i]! += 1;
    }
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / total);
  };
  const l = weights(good);
  const g = weights(bad);
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    let u = rng.next();
    let i = 0;
    while (i < l.length - 1 && u >= l[i]!) u -= l[i++]!;
    const score = Math.log(l[i]!) - Math.log(g[i]!);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return param.choices[best]!;
}

/** A truncated Gaussian mixture on [low, high]: one component per observation plus a wide prior. */
interface Parzen {
  mu: number[];
  sigma: number[];
  low: number;
  high: number;
}

function parzen(values: readonly number[], low: number, high: number): Parzen {
  const span = high - low;
  const prior = { mu: (low + high) / 2, sigma: span };
  const points = [...values, prior.mu].sort((a, b) => a - b);
  const minSigma = span / Math.min(100, 1 + points.length);
  const sigmaAt = (x: number) => {
    // hyperopt's adaptive width: the larger gap to a neighbour (the bounds count as neighbours).
    const i = points.indexOf(x);
    const left = i > 0 ? x - points[i - 1]! : x - low;
    const right = i < points.length - 1 ? points[i + 1]! - x : high - x;
    return Math.min(span, Math.max(minSigma, left, right));
  };
  return { mu: [...values, prior.mu], sigma: [...values.map(sigmaAt), prior.sigma], low, high };
}

const SQRT2 = Math.SQRT2;

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: enough for truncation masses.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

function logDensity(p: Parzen, x: number): number {
  let total = 0;
  for (let i = 0; i < p.mu.length; i++) {
    const mu = p.mu[i]!;
    const s = p.sigma[i]!;
    const mass = 0.5 * (erf((p.high - mu) / (s * SQRT2)) - erf((p.low - mu) / (s * SQRT2)));
    total += Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(total / p.mu.length);
}

function drawParzen(p: Parzen, rng: Rng): number {
  const i = rng.int(p.mu.length);
  for (let attempt = 0; attempt < 64; attempt++) {
    // Box–Muller from the seeded stream; rejection keeps the draw inside the bounds.
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const x = p.mu[i]! + p.sigma[i]! * z;
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, p.mu[i]!));
}

function suggestNumber(param: Exclude<Param, { kind: 'choice' }>, good: readonly Observation[], bad: readonly Observation[], rng: Rng, candidates: number): number {
  const log = param.kind === 'logUniform';
  const toModel = (v: number) => (log ? Math.log(v) : v);
  const low = param.kind === 'int' ? param.low - 0.5 : toModel(param.low);
  const high = param.kind === 'int' ? param.high + 0.5 : toModel(param.high);
  const values = (obs: readonly Observation[]) => obs.map((o) => o.params[param.path]).filter((v): v is number => typeof v === 'number').map(toModel);
  const l = parzen(values(good), low, high);
  const g = parzen(values(bad), low, high);
  let best = drawParzen(l, rng);
  let bestScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const x = c === 0 ? best : drawParzen(l, rng);
    const score = logDensity(l, x) - logDensity(g, x);
    if (score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  if (param.kind === 'int') return Math.min(param.high, Math.max(param.low, Math.round(best)));
  return log ? Math.min(param.high, Math.max(param.low, Math.exp(best))) : best;
}
