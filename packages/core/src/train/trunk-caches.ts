import type { Examples } from '../data/examples.js';
import type { GraftModel } from '../model/graft-model.js';
import type { TrunkSplit } from '../model/trunk.js';
import { ActivationCache, prefixActivations, trunkFeatures, type CachedActivations } from './features.js';

/**
 * The loop's cached activations (a frozen trunk's features, a frozen prefix's outputs) and what they depend
 * on: the updates applied to each group and every change of weights outside a step (re-initialisation,
 * restored weights). Any of those changes the key, which drops the cache.
 */
export class TrunkCaches {
  private readonly features = new ActivationCache(128);
  private readonly prefix = new ActivationCache(64);
  private readonly versions: number[];
  private resets = 0;

  constructor(private readonly model: GraftModel) {
    this.versions = model.groups.map(() => 0);
  }

  /** After an optimisation step: the trainable groups' weights changed. */
  stepped(): void {
    for (const g of this.model.groups) if (g.trainable) this.versions[g.index]! += 1;
  }

  /** Weights changed outside a step. */
  invalidate(): void {
    this.resets += 1;
  }

  /** The whole frozen trunk's features of `examples`. */
  trunkFeatures(examples: Examples): Promise<CachedActivations | undefined> {
    return this.features.get(examples, this.key(this.model.groups.length - 1), trunkFeatures(this.model));
  }

  /** The outputs of the frozen groups before `boundary`. */
  prefixActivations(examples: Examples, boundary: number, split: TrunkSplit): Promise<CachedActivations | undefined> {
    return this.prefix.get(examples, this.key(boundary), prefixActivations(this.model, split));
  }

  clear(): void {
    this.features.clear();
    this.prefix.clear();
  }

  private key(groups: number): string {
    return `${groups}|${this.resets}|${this.versions.slice(0, groups).join(',')}`;
  }
}
