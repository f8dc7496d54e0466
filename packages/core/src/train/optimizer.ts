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

/** Backends whose tensors live in host memory, where reading and writing a whole variable is a copy. */
const HOST_BACKENDS = new Set(['cpu', 'wasm']);

/**
 * How updates are computed. `fused`: one pass in JavaScript over each variable's values (read once,
 * written once, no kernel calls), where tensors live in host memory (cpu, wasm); `kernels`: about a
 * dozen elementwise tfjs kernels per variable, the only way on GPU backends. `auto` picks `fused`
 * on cpu and wasm, `kernels` elsewhere; it is the default, so the loop updates in one pass where it can. Both
 * give the same updates up to float32 rounding (the parity test pins ≤1e-4 relative over 40 steps);
 * `bench/backends` measures both (`graft` and `graft-unfused`).
 */
export type UpdatePath = 'auto' | 'fused' | 'kernels';

type Slots = { steps: number; slots: Record<string, tf.Variable> };

/**
 * sgd, momentum, adam and adamw with a learning rate per variable, which is what discriminative rates and
 * per-group multipliers need and what tfjs optimizers (one rate each) cannot do.
 */
export class Optimizer {
  private readonly state = new Map<string, Slots>();
  private readonly weightDecay: number;

  constructor(
    private readonly options: StageOptions['optimizer'],
    private readonly path: UpdatePath = 'auto',
  ) {
    this.weightDecay = options.weightDecay ?? (options.name === 'adamw' ? 0.01 : 0);
  }

  apply(updates: readonly ParameterUpdate[]): void {
    const fused = this.path === 'fused' || (this.path === 'auto' && HOST_BACKENDS.has(tf.getBackend()));
    for (const u of updates) {
      const { name } = this.options;
      const s = this.slot(u.key, u.variable, name === 'sgd' ? [] : name === 'momentum' ? ['velocity'] : ['m', 'v']);
      s.steps += 1;
      if (fused) this.applyFused(u, s);
      else this.applyWithKernels(u, s);
    }
  }

  /**
   * The same update as {@link applyWithKernels} in one loop over the values: the operands are read once,
   * the results (weights and slots) written as new tensors and assigned, so tensors that share storage
   * with a variable (clones, snapshots) never see it change.
   */
  private applyFused({ variable, grad, lr }: ParameterUpdate, s: Slots): void {
    const { name, momentum, beta1, beta2, epsilon } = this.options;
    const wd = this.weightDecay;
    const w = variable.dataSync() as Float32Array;
    const g = grad.dataSync() as Float32Array;
    const n = w.length;
    const next = new Float32Array(n);
    // L2 regularisation (all but adamw) adds wd·w to the gradient.
    const l2 = name !== 'adamw' ? wd : 0;
    const written: Array<[tf.Variable, Float32Array]> = [[variable, next]];
    if (name === 'sgd') {
      for (let i = 0; i < n; i++) next[i] = w[i]! - lr * (g[i]! + l2 * w[i]!);
    } else if (name === 'momentum') {
      const vel = s.slots.velocity!.dataSync() as Float32Array;
      const velNext = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        velNext[i] = vel[i]! * momentum + (g[i]! + l2 * w[i]!);
        next[i] = w[i]! - lr * velNext[i]!;
      }
      written.push([s.slots.velocity!, velNext]);
    } else {
      const m = s.slots.m!.dataSync() as Float32Array;
      const v = s.slots.v!.dataSync() as Float32Array;
      const mNext = new Float32Array(n);
      const vNext = new Float32Array(n);
      const c1 = 1 - beta1 ** s.steps;
      const c2 = 1 - beta2 ** s.steps;
      const decoupled = name === 'adamw' ? lr * wd : 0;
      for (let i = 0; i < n; i++) {
        const wi = w[i]!;
        const gi = g[i]! + l2 * wi;
        const mi = (mNext[i] = beta1 * m[i]! + (1 - beta1) * gi);
        const vi = (vNext[i] = beta2 * v[i]! + (1 - beta2) * gi * gi);
        next[i] = wi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon) - decoupled * wi;
      }
      written.push([s.slots.m!, mNext], [s.slots.v!, vNext]);
    }
    for (const [target, values] of written) {
      const t = tf.tensor(values, target.shape, 'float32');
      target.assign(t);
      t.dispose();
    }
  }

  private applyWithKernels({ variable, grad, lr }: ParameterUpdate, s: Slots): void {
    const { name, momentum, beta1, beta2, epsilon } = this.options;
    const wd = this.weightDecay;
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

  private slot(key: string, variable: tf.Variable, names: string[]): Slots {
    let s = this.state.get(key);
    if (!s) {
      s = { steps: 0, slots: tf.tidy(() => Object.fromEntries(names.map((n) => [n, tf.variable(tf.zerosLike(variable), false)]))) };
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
