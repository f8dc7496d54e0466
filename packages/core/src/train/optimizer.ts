import * as tf from '@tensorflow/tfjs';
import type { StageOptions } from '../config/stage-options.js';
import { OPTIMIZER_UPDATE, slotNames, updateValues, type OptimizerUpdateAttrs } from './optimizer-update.js';

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
 * How updates are computed. `fused`: one pass over each variable's values (read once, written once), as one
 * {@link OPTIMIZER_UPDATE} kernel call where the backend registers it (core does for cpu,
 * @graft/backend-wasm for wasm), else one JavaScript loop over copies; `kernels`: about a dozen
 * elementwise tfjs kernels per variable, the way on GPU backends. `auto` picks `fused` on cpu, wasm and
 * any backend registering the kernel, `kernels` elsewhere; it is the default. Both give the same updates
 * up to float32 rounding (the parity test pins ≤1e-4 relative over 40 steps); `bench/backends` measures
 * both (`graft` and `graft-unfused`).
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
    const backend = tf.getBackend();
    const fused = this.path === 'fused' || (this.path === 'auto' && (HOST_BACKENDS.has(backend) || tf.getKernel(OPTIMIZER_UPDATE, backend) !== undefined));
    for (const u of updates) {
      const { name } = this.options;
      const s = this.slot(u.key, u.variable, slotNames(name));
      s.steps += 1;
      if (fused) this.applyFused(u, s);
      else this.applyWithKernels(u, s);
    }
  }

  /**
   * The same update as {@link applyWithKernels} in one pass over the values: one {@link OPTIMIZER_UPDATE}
   * kernel call where the backend registers it (no copy out of the backend), else one JavaScript loop
   * over copies of the values. Either way the results (weights and slots) are NEW tensors, assigned, so
   * tensors that share storage with a variable (clones, snapshots) never see it change.
   */
  private applyFused({ variable, grad, lr }: ParameterUpdate, s: Slots): void {
    const { name, momentum, beta1, beta2, epsilon } = this.options;
    const wd = this.weightDecay;
    const attrs: OptimizerUpdateAttrs = {
      optimizer: name,
      lr,
      momentum,
      beta1,
      beta2,
      epsilon,
      // L2 regularisation (all but adamw) adds wd·w to the gradient; adamw decays the weights by lr·wd.
      l2: name !== 'adamw' ? wd : 0,
      decay: name === 'adamw' ? lr * wd : 0,
      c1: 1 - beta1 ** s.steps,
      c2: 1 - beta2 ** s.steps,
    };
    const names = slotNames(name);
    const targets = [variable, ...names.map((n) => s.slots[n]!)];
    let results: tf.Tensor[];
    if (tf.getKernel(OPTIMIZER_UPDATE, tf.getBackend()) !== undefined) {
      const inputs: tf.NamedTensorMap = { w: variable, g: grad };
      names.forEach((n, i) => (inputs[n] = targets[i + 1]!));
      results = tf.engine().runKernel(OPTIMIZER_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    } else {
      const n = variable.size;
      const next = targets.map(() => new Float32Array(n));
      const read = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;
      updateValues(attrs, read(variable), read(grad), targets.slice(1).map(read), next[0]!, next.slice(1));
      results = next.map((values) => tf.tensor(values, variable.shape, 'float32'));
    }
    targets.forEach((target, i) => {
      target.assign(results[i]!);
      results[i]!.dispose();
    });
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
