import * as tf from '@tensorflow/tfjs';
import type { StageOptions } from '../config/stage-options.js';

/** One variable's update: its stable key, its gradient and the learning rate it gets this step. */
export interface ParameterUpdate {
  key: string;
  variable: tf.Variable;
  grad: tf.Tensor;
  lr: number;
}

/** Per-variable optimizer state, serialisable for checkpoints. */
export interface SlotState {
  /** Updates applied to this variable so far (Adam's bias correction counts per variable, as in PyTorch). */
  steps: number;
  slots: Record<string, tf.Tensor>;
}

/**
 * sgd, momentum, adam and adamw with a learning rate per variable, which is what discriminative rates and
 * per-group multipliers need and what tfjs optimizers (one rate each) cannot do.
 */
export class Optimizer {
  private readonly state = new Map<string, { steps: number; slots: Record<string, tf.Variable> }>();
  private readonly weightDecay: number;

  constructor(private readonly options: StageOptions['optimizer']) {
    this.weightDecay = options.weightDecay ?? (options.name === 'adamw' ? 0.01 : 0);
  }

  apply(updates: readonly ParameterUpdate[]): void {
    for (const u of updates) this.applyOne(u);
  }

  private applyOne({ key, variable, grad, lr }: ParameterUpdate): void {
    const { name, momentum, beta1, beta2, epsilon } = this.options;
    const wd = this.weightDecay;
    const s = this.slot(key, variable, name === 'sgd' ? [] : name === 'momentum' ? ['velocity'] : ['m', 'v']);
    s.steps += 1;
    tf.tidy(() => {
      let g = grad;
      if (wd > 0 && name !== 'adamw') g = tf.add(g, tf.mul(variable, wd));
      if (name === 'sgd') {
        variable.assign(tf.sub(variable, tf.mul(g, lr)));
      } else if (name === 'momentum') {
        const velocity = s.slots.velocity!;
        velocity.assign(tf.add(tf.mul(velocity, momentum), g));
        variable.assign(tf.sub(variable, tf.mul(velocity, lr)));
      } else {
        const m = s.slots.m!;
        const v = s.slots.v!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const mHat = tf.div(m, 1 - beta1 ** s.steps);
        const vHat = tf.div(v, 1 - beta2 ** s.steps);
        let next = tf.sub(variable, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr));
        if (name === 'adamw' && wd > 0) next = tf.sub(next, tf.mul(variable, lr * wd));
        variable.assign(next);
      }
    });
  }

  private slot(key: string, variable: tf.Variable, names: string[]) {
    let s = this.state.get(key);
    if (!s) {
      s = { steps: 0, slots: Object.fromEntries(names.map((n) => [n, tf.variable(tf.zerosLike(variable), false)])) };
      this.state.set(key, s);
    }
    return s;
  }

  /** The optimizer's state by variable key (tensors are copies the caller owns). */
  snapshot(): Record<string, SlotState> {
    const out: Record<string, SlotState> = {};
    for (const [key, s] of this.state) {
      out[key] = { steps: s.steps, slots: Object.fromEntries(Object.entries(s.slots).map(([n, t]) => [n, tf.clone(t)])) };
    }
    return out;
  }

  /** Replace the state with a snapshot (takes ownership of its tensors). */
  restore(snapshot: Record<string, SlotState>): void {
    this.dispose();
    for (const [key, s] of Object.entries(snapshot)) {
      const slots = Object.fromEntries(Object.entries(s.slots).map(([n, t]) => [n, tf.variable(t, false)]));
      Object.values(s.slots).forEach((t) => t.dispose());
      this.state.set(key, { steps: s.steps, slots });
    }
  }

  dispose(): void {
    for (const s of this.state.values()) Object.values(s.slots).forEach((t) => t.dispose());
    this.state.clear();
  }
}
