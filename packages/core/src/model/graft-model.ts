import * as tf from '@tensorflow/tfjs';
import type { TaskPlan } from '../config/load.js';
import type { Dataset } from '../data/examples.js';
import type { PretextHead, Task } from '../task.js';
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
  /** Heads of the supervised tasks, which read the trunk's features. */
  readonly heads: Map<string, Head>;
  /** Heads of the self-supervised tasks, which run the trunk themselves (see `TaskType.pretext`). */
  readonly pretextHeads: Map<string, PretextHead>;
  readonly groups: GroupState[];

  constructor(
    readonly trunk: Trunk,
    readonly tasks: readonly Task[],
    headPlans: readonly TaskPlan['head'][],
    rng: Rng,
    /** The datasets, by `Task.dataGroup`: self-supervised heads use their augmentation. */
    datasets: readonly Dataset[] = [],
  ) {
    this.heads = new Map();
    this.pretextHeads = new Map();
    tasks.forEach((t, i) => {
      if (t.type.pretext) this.pretextHeads.set(t.name, t.type.pretext.createHead({ trunk, rng, task: t.name, head: headPlans[i]!, augment: datasets[t.dataGroup]?.augment, where: `tasks[${i}]` }));
      else this.heads.set(t.name, new Head(t.name, trunk.featureSize, headPlans[i]!.hidden, t.headSize, headPlans[i]!.dropout, rng));
    });
    this.groups = [
      ...trunk.groups.map((g, index) => ({ name: g.name, index, trainable: true, lrMultiplier: 1, variables: g.variables, setNormInference: g.setNormInference?.bind(g) })),
      { name: 'head', index: trunk.groups.length, trainable: true, lrMultiplier: 1, variables: tasks.flatMap((t) => this.headVariables(t.name)) },
    ];
  }

  /** The variables of one task's head, whichever kind it is. */
  headVariables(task: string): tf.Variable[] {
    return this.heads.get(task)?.variables ?? this.pretextHeads.get(task)?.variables ?? [];
  }

  /** True when a self-supervised task trains: its head reads raw inputs, so trunk features are never cached. */
  get hasPretext(): boolean {
    return this.pretextHeads.size > 0;
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
    const heads = [...this.heads.values(), ...this.pretextHeads.values()];
    return [...this.trunk.weights(), ...heads.flatMap((h) => h.weights())];
  }

  /** Trunk features for raw dataset inputs. A frozen trunk always runs in inference mode. */
  features(rawInputs: Record<string, tf.Tensor>, training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.trunk.apply(this.trunk.preprocess(rawInputs), training && !this.trunkFrozen));
  }

  dispose(): void {
    this.trunk.dispose();
    this.heads.forEach((h) => h.dispose());
    this.pretextHeads.forEach((h) => h.dispose());
  }
}
