import type { Rng } from '@graft/core';
import type { BertConfig } from './config.js';
import { bertWeightSpecs, type BertWeights, type WeightSpec } from './weight-spec.js';

/** A standard normal draw (Box–Muller) from the seeded stream. */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface InitOptions {
  /** Standard deviation of dense and embedding weights (BERT's `initializer_range`). @default 0.02 */
  std?: number;
  /**
   * Also randomise biases and LayerNorm parameters instead of BERT's 0 / 1. Test fixtures use it so a
   * weight loaded into the wrong place cannot go unnoticed. @default false
   */
  randomizeAll?: boolean;
}

/** Fill one weight as BERT does (Devlin et al. 2019: truncated-free normal, std 0.02; LayerNorm 1/0; biases 0). */
export function initWeight(spec: WeightSpec, rng: Rng, options: InitOptions = {}): Float32Array {
  const std = options.std ?? 0.02;
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const random = options.randomizeAll === true;
  for (let i = 0; i < size; i++) {
    switch (spec.kind) {
      case 'embedding':
      case 'dense':
        out[i] = std * normal(rng);
        break;
      case 'bias':
      case 'norm-shift':
        out[i] = random ? 0.1 * normal(rng) : 0;
        break;
      case 'norm-scale':
        out[i] = random ? 1 + 0.1 * normal(rng) : 1;
        break;
    }
  }
  return out;
}

/** Fresh weights for every `BertModel` tensor. */
export function initBertWeights(config: BertConfig, rng: Rng, options: InitOptions = {}): BertWeights {
  const weights: BertWeights = new Map();
  for (const spec of bertWeightSpecs(config)) weights.set(spec.name, { shape: spec.shape, data: initWeight(spec, rng, options) });
  return weights;
}
