// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// The optimizer's update of one variable in one pass (Graft's GraftOptimizerUpdate kernel): read the
// weights w, the gradient g and the slots, write the new weights and slots to new tensors. Two elements
// at a time in float64 (f64x2), each float32 input widened, each result rounded once when stored: the
// same operations, in the same order, as core's JavaScript loop (updateValues), hence the same bits on
// wasm and cpu. float64 also keeps the squares of tiny gradients (Adam's v) out of the float32 subnormal
// range, where x86 SIMD arithmetic is many times slower (fine-tuning gradients of 1e-20 are common).
// The scalar tail computes alike, so each element's result does not depend on where it falls.

const SGD: i32 = 0;
const MOMENTUM: i32 = 1;
// 2: adam or adamw (adamw with l2 = 0 and decay = lr·wd; adam with decay = 0).

/** Two float32 at `p`, widened to float64. */
// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Two float64 rounded to float32, stored at `p`. */
// @ts-ignore: decorator
@inline function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** `next = w − lr·(g + l2·w)`. */
function sgd(w: usize, g: usize, next: usize, n: i32, lr: f64, l2: f64): void {
  const vlr = f64x2.splat(lr);
  const vl2 = f64x2.splat(l2);
  const end = <usize>(n & ~1) << 2;
  for (let o: usize = 0; o < end; o += 8) {
    const wi = load2(w + o);
    store2(next + o, f64x2.sub(wi, f64x2.mul(vlr, f64x2.add(load2(g + o), f64x2.mul(vl2, wi)))));
  }
  if (n & 1) {
    const wi = <f64>load<f32>(w + end);
    store<f32>(next + end, <f32>(wi - lr * (<f64>load<f32>(g + end) + l2 * wi)));
  }
}

/** `vel' = vel·momentum + (g + l2·w)`, `next = w − lr·vel'` (vel' as stored, rounded to float32). */
function momentum(w: usize, g: usize, vel: usize, next: usize, velNext: usize, n: i32, lr: f64, mom: f64, l2: f64): void {
  const vlr = f64x2.splat(lr);
  const vmom = f64x2.splat(mom);
  const vl2 = f64x2.splat(l2);
  const end = <usize>(n & ~1) << 2;
  for (let o: usize = 0; o < end; o += 8) {
    const wi = load2(w + o);
    const vi = f64x2.add(f64x2.mul(load2(vel + o), vmom), f64x2.add(load2(g + o), f64x2.mul(vl2, wi)));
    store2(velNext + o, vi);
    store2(next + o, f64x2.sub(wi, f64x2.mul(vlr, load2(velNext + o))));
  }
  if (n & 1) {
    const wi = <f64>load<f32>(w + end);
    const vi = <f32>(<f64>load<f32>(vel + end) * mom + (<f64>load<f32>(g + end) + l2 * wi));
    store<f32>(velNext + end, vi);
    store<f32>(next + end, <f32>(wi - lr * <f64>vi));
  }
}

/**
 * `m' = β1·m + (1−β1)·g`, `v' = β2·v + (1−β2)·g·g` (g with `l2·w` added),
 * `next = w − lr·(m'/c1) / (√(v'/c2) + ε) − decay·w`, m' and v' unrounded in the last.
 */
function adam(
  w: usize, g: usize, m: usize, v: usize, next: usize, mNext: usize, vNext: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, epsilon: f64, l2: f64, decay: f64, c1: f64, c2: f64,
): void {
  const b1c = 1 - beta1;
  const b2c = 1 - beta2;
  const vlr = f64x2.splat(lr);
  const vb1 = f64x2.splat(beta1);
  const vb1c = f64x2.splat(b1c);
  const vb2 = f64x2.splat(beta2);
  const vb2c = f64x2.splat(b2c);
  const veps = f64x2.splat(epsilon);
  const vl2 = f64x2.splat(l2);
  const vdecay = f64x2.splat(decay);
  const vc1 = f64x2.splat(c1);
  const vc2 = f64x2.splat(c2);
  const end = <usize>(n & ~1) << 2;
  for (let o: usize = 0; o < end; o += 8) {
    const wi = load2(w + o);
    const gi = f64x2.add(load2(g + o), f64x2.mul(vl2, wi));
    const mi = f64x2.add(f64x2.mul(vb1, load2(m + o)), f64x2.mul(vb1c, gi));
    const vi = f64x2.add(f64x2.mul(vb2, load2(v + o)), f64x2.mul(f64x2.mul(vb2c, gi), gi));
    store2(mNext + o, mi);
    store2(vNext + o, vi);
    const step = f64x2.div(f64x2.mul(vlr, f64x2.div(mi, vc1)), f64x2.add(f64x2.sqrt(f64x2.div(vi, vc2)), veps));
    store2(next + o, f64x2.sub(f64x2.sub(wi, step), f64x2.mul(vdecay, wi)));
  }
  if (n & 1) {
    const wi = <f64>load<f32>(w + end);
    const gi = <f64>load<f32>(g + end) + l2 * wi;
    const mi = beta1 * <f64>load<f32>(m + end) + b1c * gi;
    const vi = beta2 * <f64>load<f32>(v + end) + b2c * gi * gi;
    store<f32>(mNext + end, <f32>mi);
    store<f32>(vNext + end, <f32>vi);
    store<f32>(next + end, <f32>(wi - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon) - decay * wi));
  }
}

/**
 * One variable's update: rule 0 sgd, 1 momentum (slot s0 = velocity), 2 adam/adamw (s0 = m, s1 = v);
 * `next`, `s0Next`, `s1Next` receive the new weights and slots (unused slot addresses are ignored).
 * The outputs must not overlap the inputs.
 */
export function optimizerUpdate(
  rule: i32, w: usize, g: usize, s0: usize, s1: usize, next: usize, s0Next: usize, s1Next: usize, n: i32,
  lr: f64, mom: f64, beta1: f64, beta2: f64, epsilon: f64, l2: f64, decay: f64, c1: f64, c2: f64,
): void {
  if (rule == SGD) sgd(w, g, next, n, lr, l2);
  else if (rule == MOMENTUM) momentum(w, g, s0, next, s0Next, n, lr, mom, l2);
  else adam(w, g, s0, s1, next, s0Next, s1Next, n, lr, beta1, beta2, epsilon, l2, decay, c1, c2);
}
