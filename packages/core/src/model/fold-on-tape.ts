import * as tf from '@tensorflow/tfjs';

/** A convolution's trainable weights and its BatchNorm's, as the fold reads them (see folded-chain.ts). */
export interface FoldWeights {
  /** `[kh, kw, in, out]`, or a depthwise `[kh, kw, in, multiplier]`. */
  kernel: tf.Tensor4D;
  depthwise: boolean;
  convBias?: tf.Tensor1D;
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
}

/** From the BatchNorm's running statistics, which no gradient reaches: `1/√(σ² + ε)` and `−μ/√(σ² + ε)`. */
export interface NormConstants {
  rstd: tf.Tensor1D;
  shift: tf.Tensor1D;
}

export function normConstants(mean: tf.Tensor1D, variance: tf.Tensor1D, epsilon: number): NormConstants {
  const rstd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
  return { rstd, shift: tf.neg(tf.mul(mean, rstd)) as tf.Tensor1D };
}

/**
 * The folded filter `W·s` and bias `b·s + shift·γ + β` (`s = γ·rstd`), under a gradient tape, as two
 * operations with their own gradients: `dW = dW′·s`, `dγ = rstd·Σ dW′·W + db′·(b·rstd + shift)`, `dβ = db′`,
 * `db = db′·s`. The same values as tfjs ops would compute, in a handful of kernels where autodiff through
 * the elementwise ops records some forty per convolution (each with its casts, reshapes and saved copies).
 */
export function foldOnTape(w: FoldWeights, c: NormConstants): [tf.Tensor4D, tf.Tensor1D] {
  return [foldedFilter(w, c.rstd), foldedBias(w, c)];
}

/** `s` shaped to multiply a kernel: per output channel, or per `[in, multiplier]` of a depthwise one. */
function perChannel(s: tf.Tensor1D, w: FoldWeights): tf.Tensor {
  return w.depthwise ? tf.reshape(s, [w.kernel.shape[2], w.kernel.shape[3]]) : s;
}

function foldedFilter(w: FoldWeights, rstd: tf.Tensor1D): tf.Tensor4D {
  const { kernel, gamma } = w;
  if (!gamma) return tf.mul(kernel, perChannel(rstd, w));
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [k, g, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const s = tf.mul(g, rstd) as tf.Tensor1D;
    // rstd saved too: the cached constants may be replaced (new statistics) before the backward pass.
    save([k, s, rstd]);
    return {
      value: tf.mul(k, perChannel(s, w)),
      gradFunc: (dy, saved) => {
        const [k, scale, r] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const dFilter = dy as tf.Tensor4D;
        const perGamma = tf.sum(tf.mul(dFilter, k), w.depthwise ? [0, 1] : [0, 1, 2]);
        return [tf.mul(dFilter, perChannel(scale, w)), tf.mul(tf.reshape(perGamma, [-1]), r)];
      },
    };
  });
  return op(kernel, gamma) as tf.Tensor4D;
}

function foldedBias(w: FoldWeights, c: NormConstants): tf.Tensor1D {
  const names = (['convBias', 'gamma', 'beta'] as const).filter((n) => w[n] !== undefined);
  if (names.length === 0) return c.shift.clone();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const given = new Map(names.map((n, i) => [n, args[i] as tf.Tensor1D]));
    const save = args[names.length] as tf.GradSaveFunc;
    const [convBias, gamma, beta] = [given.get('convBias'), given.get('gamma'), given.get('beta')];
    const s = gamma ? tf.mul(gamma, c.rstd) : c.rstd;
    // b·s + shift·γ + β, with γ = 1 and b, β = 0 where absent; dγ is db′ times b·rstd + shift.
    let value: tf.Tensor = gamma ? tf.mul(c.shift, gamma) : c.shift;
    if (convBias) value = tf.add(value, tf.mul(convBias, s));
    if (beta) value = tf.add(value, beta);
    save([s, convBias ? tf.add(tf.mul(convBias, c.rstd), c.shift) : c.shift]);
    return {
      value: value === c.shift ? c.shift.clone() : value,
      gradFunc: (dy, saved) => {
        const [scale, perGamma] = saved as [tf.Tensor1D, tf.Tensor1D];
        const d = dy as tf.Tensor1D;
        return names.map((n) => (n === 'beta' ? d.clone() : tf.mul(d, n === 'convBias' ? scale : perGamma)));
      },
    };
  });
  return op(...names.map((n) => w[n]!)) as tf.Tensor1D;
}
