// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// The optimizer's update of one variable in one pass (Graft's GraftOptimizerUpdate kernel): read the
// weights w, the gradient g and the slots, write the new weights and slots to new tensors. float32
// throughout (Graft's JavaScript loop computes in float64 and rounds each stored value; the two agree to
// float32 rounding). The vector body and the scalar tail do the same float32 operations in the same
// order, so each element's result does not depend on where it falls (deterministic for any length).

const SGD: i32 = 0;
const MOMENTUM: i32 = 1;
// 2: adam or adamw (adamw with l2 = 0 and decay = lr·wd; adam with decay = 0).

/** `next = w − lr·(g + l2·w)`. */
function sgd(w: usize, g: usize, next: usize, n: i32, lr: f32, l2: f32): void {
  const vlr = f32x4.splat(lr);
  const vl2 = f32x4.splat(l2);
  const end = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const wi = v128.load(w + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(vl2, wi));
    v128.store(next + o, f32x4.sub(wi, f32x4.mul(vlr, gi)));
  }
  for (let o = end; o < (<usize>n << 2); o += 4) {
    const wi = load<f32>(w + o);
    store<f32>(next + o, wi - lr * (load<f32>(g + o) + l2 * wi));
  }
}

/** `vel' = vel·momentum + (g + l2·w)`, `next = w − lr·vel'`. */
function momentum(w: usize, g: usize, vel: usize, next: usize, velNext: usize, n: i32, lr: f32, mom: f32, l2: f32): void {
  const vlr = f32x4.splat(lr);
  const vmom = f32x4.splat(mom);
  const vl2 = f32x4.splat(l2);
  const end = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const wi = v128.load(w + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(vl2, wi));
    const vi = f32x4.add(f32x4.mul(v128.load(vel + o), vmom), gi);
    v128.store(velNext + o, vi);
    v128.store(next + o, f32x4.sub(wi, f32x4.mul(vlr, vi)));
  }
  for (let o = end; o < (<usize>n << 2); o += 4) {
    const wi = load<f32>(w + o);
    const vi = load<f32>(vel + o) * mom + (load<f32>(g + o) + l2 * wi);
    store<f32>(velNext + o, vi);
    store<f32>(next + o, wi - lr * vi);
  }
}

/**
 * `m' = β1·m + (1−β1)·g`, `v' = β2·v + (1−β2)·g·g` (g with `l2·w` added),
 * `next = w − lr·(m'/c1) / (√(v'/c2) + ε) − decay·w`.
 */
function adam(
  w: usize, g: usize, m: usize, v: usize, next: usize, mNext: usize, vNext: usize, n: i32,
  lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, epsilon: f32, l2: f32, decay: f32, c1: f32, c2: f32,
): void {
  const vlr = f32x4.splat(lr);
  const vb1 = f32x4.splat(beta1);
  const vb1c = f32x4.splat(oneMinusBeta1);
  const vb2 = f32x4.splat(beta2);
  const vb2c = f32x4.splat(oneMinusBeta2);
  const veps = f32x4.splat(epsilon);
  const vl2 = f32x4.splat(l2);
  const vdecay = f32x4.splat(decay);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const end = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const wi = v128.load(w + o);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(vl2, wi));
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vb2c, gi), gi));
    v128.store(mNext + o, mi);
    v128.store(vNext + o, vi);
    const step = f32x4.div(f32x4.mul(vlr, f32x4.div(mi, vc1)), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps));
    v128.store(next + o, f32x4.sub(f32x4.sub(wi, step), f32x4.mul(vdecay, wi)));
  }
  for (let o = end; o < (<usize>n << 2); o += 4) {
    const wi = load<f32>(w + o);
    const gi = load<f32>(g + o) + l2 * wi;
    const mi = beta1 * load<f32>(m + o) + oneMinusBeta1 * gi;
    const vi = beta2 * load<f32>(v + o) + oneMinusBeta2 * gi * gi;
    store<f32>(mNext + o, mi);
    store<f32>(vNext + o, vi);
    const step = (lr * (mi / c1)) / (Mathf.sqrt(vi / c2) + epsilon);
    store<f32>(next + o, wi - step - decay * wi);
  }
}

/**
 * One variable's update: rule 0 sgd, 1 momentum (slot s0 = velocity), 2 adam/adamw (s0 = m, s1 = v);
 * `next`, `s0Next`, `s1Next` receive the new weights and slots (unused slot addresses are ignored).
 * The outputs must not overlap the inputs.
 */
export function optimizerUpdate(
  rule: i32, w: usize, g: usize, s0: usize, s1: usize, next: usize, s0Next: usize, s1Next: usize, n: i32,
  lr: f32, mom: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, epsilon: f32,
  l2: f32, decay: f32, c1: f32, c2: f32,
): void {
  if (rule == SGD) sgd(w, g, next, n, lr, l2);
  else if (rule == MOMENTUM) momentum(w, g, s0, next, s0Next, n, lr, mom, l2);
  else adam(w, g, s0, s1, next, s0Next, s1Next, n, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, l2, decay, c1, c2);
}
