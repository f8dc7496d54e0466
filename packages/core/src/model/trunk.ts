import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../train/rng.js';

/** A weight of the model with a key that is stable across processes (tfjs names are not). */
export interface NamedVariable {
  key: string;
  variable: tf.Variable;
}

/**
 * An ordered slice of the trunk: freezing and per-group learning-rate multipliers act on groups.
 * Groups run from the input (index 0) to the output.
 */
export interface LayerGroup {
  name: string;
  /** The trainable weights of this group. */
  variables: tf.Variable[];
  /**
   * Put the group's normalisation layers in inference mode (running statistics, no updates) or let them
   * follow the training flag. Called when the group is frozen or thawed with `bn: frozen`.
   */
  setNormInference?(inference: boolean): void;
}

/**
 * The shared part of the model: pretrained weights plus the preprocessing they expect. Every task's head
 * reads the trunk's `[batch, featureSize]` output.
 */
export interface Trunk {
  /** Ordered input → output; the heads form one more group after these. */
  readonly groups: readonly LayerGroup[];
  /** Width of the feature vector the heads read. */
  readonly featureSize: number;
  /** Input names this trunk reads from a dataset (`image`, or `input_ids` and `attention_mask`). */
  readonly inputNames: readonly string[];
  /** Turn a dataset's raw inputs into what `apply` expects (resize, scale, channel copy). Runs inside `tf.tidy`. */
  preprocess(inputs: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  /** Features `[batch, featureSize]` for preprocessed inputs. `training` enables dropout and batch statistics. */
  apply(inputs: Record<string, tf.Tensor>, training: boolean): tf.Tensor2D;
  /** Every weight (trainable or not, e.g. BN running statistics) in a stable order, for checkpoints. */
  weights(): NamedVariable[];
  /**
   * Split the trunk before group `boundary` so the frozen part's output can be cached: `prefix` runs
   * groups `[0, boundary)` in inference mode, `suffix` the rest. Only offered where that is exact (a chain
   * of layers with nothing random in the prefix); absent otherwise.
   */
  split?(boundary: number): TrunkSplit | undefined;
  /** Set the momentum of the running statistics of every normalisation layer (Keras convention). */
  setNormMomentum?(momentum: number): void;
  /**
   * The state of the trunk's own random stream (dropout masks), which checkpoints store so that a resumed run
   * draws the masks the uninterrupted run would have. Required of every trunk that draws random numbers while
   * training.
   */
  randomState?(): number;
  /** Put back a state {@link randomState} returned. */
  restoreRandomState?(state: number): void;
  /** Replace every weight by a fresh random initialisation (training from scratch), seeded by `rng`. */
  reinitialize(rng: Rng): void;
  dispose(): void;
}

/** A trunk cut in two at a group boundary (see {@link Trunk.split}). */
export interface TrunkSplit {
  /** Preprocessed inputs → the activations entering group `boundary` (inference mode). */
  prefix(inputs: Record<string, tf.Tensor>): tf.Tensor;
  /** Those activations → features `[batch, featureSize]`. */
  suffix(activations: tf.Tensor, training: boolean): tf.Tensor2D;
}
