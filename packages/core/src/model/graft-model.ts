import * as tf from '@tensorflow/tfjs';
import type { TaskPlan } from '../config/load.js';
import type { Task } from '../task.js';
import type { Rng } from '../train/rng.js';
import { Head } from './head.js';
import type { NamedVariable, Trunk } from './trunk.js';

/** A group as the training loop tracks it: trunk groups input → output, then one `head` group. */
export interface GroupState {
  name: string;
  index: number;
  trainable: boolean;
  lrMultiplier: number;
  /** Variables of this group (for the head group, every task head's). */
  variables: tf.Variable[];
  setNormInference?(inference: boolean): void;
}

/** The trunk plus one head per task: what a run trains, evaluates and checkpoints. */
export class GraftModel {
  readonly heads: Map<string, Head>;
  readonly groups: GroupState[];

  constructor(
    readonly trunk: Trunk,
    readonly tasks: readonly Task[],
    headPlans: readonly TaskPlan['head'][],
    rng: Rng,
  ) {
    this.heads = new Map(tasks.map((t, i) => [t.name, new Head(t.name, trunk.featureSize, headPlans[i]!.hidden, t.headSize, headPlans[i]!.dropout, rng)]));
    this.groups = [
      ...trunk.groups.map((g, index) => ({ name: g.name, index, trainable: true, lrMultiplier: 1, variables: g.variables, setNormInference: g.setNormInference?.bind(g) })),
      { name: 'head', index: trunk.groups.length, trainable: true, lrMultiplier: 1, variables: [...this.heads.values()].flatMap((h) => h.variables) },
    ];
  }

  get headGroup(): GroupState {
    return this.groups[this.groups.length - 1]!;
  }

  /** True when no trunk group trains: the trunk is then a fixed feature extractor (and may be cached). */
  get trunkFrozen(): boolean {
    return this.groups.slice(0, -1).every((g) => !g.trainable);
  }

  /** Every weight, trunk then heads, with stable keys. */
  weights(): NamedVariable[] {
    return [...this.trunk.weights(), ...[...this.heads.values()].flatMap((h) => h.weights())];
  }

  /** Trunk features for raw dataset inputs. A frozen trunk always runs in inference mode. */
  features(rawInputs: Record<string, tf.Tensor>, training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.trunk.apply(this.trunk.preprocess(rawInputs), training && !this.trunkFrozen));
  }

  dispose(): void {
    this.trunk.dispose();
    this.heads.forEach((h) => h.dispose());
  }
}
