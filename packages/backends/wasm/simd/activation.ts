// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// relu6's pieces: minimum/maximum against a scalar (forward), and the masked gradient of ReLU, of
// minimum(bound, x) and of both at once (a convolution's fused relu6, masked by its output) in one pass
// over dy and x: out = dy · step(x), dy · step(bound − x) or dy · step(x) · step(bound − x), where step(v)
// is 1 for v > 0, NaN for NaN, else 0: exactly the Step, Sub and Multiply kernels of tfjs-backend-wasm
// that it replaces (same float32 operations in the same order, so the same bits, signed zeros and NaNs
// included).

/** step(v) per lane: 1 where v > 0, v itself where v is NaN, 0 elsewhere. */
function step(v: v128, one: v128, zero: v128): v128 {
  const m = v128.bitselect(one, zero, f32x4.gt(v, zero));
  return v128.bitselect(v, m, f32x4.ne(v, v));
}

function stepScalar(v: f32): f32 {
  return v > 0 ? 1 : v != v ? v : 0;
}

/**
 * For n elements, by `mode`: 0 `out[i] = dy[i] · step(x[i])`, 1 `dy[i] · step(bound − x[i])`,
 * 2 `dy[i] · step(x[i]) · step(bound − x[i])`.
 */
export function maskedGrad(dy: usize, x: usize, out: usize, n: i32, mode: i32, bound: f32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const b = f32x4.splat(bound);
  const vectors = n & ~3;
  const end = <usize>vectors << 2;
  if (mode == 1) {
    for (let o: usize = 0; o < end; o += 16) {
      const v = f32x4.sub(b, v128.load(x + o));
      v128.store(out + o, f32x4.mul(v128.load(dy + o), step(v, one, zero)));
    }
    for (let i = vectors; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, load<f32>(dy + o) * stepScalar(bound - load<f32>(x + o)));
    }
  } else if (mode == 2) {
    for (let o: usize = 0; o < end; o += 16) {
      const v = v128.load(x + o);
      const low = f32x4.mul(v128.load(dy + o), step(v, one, zero));
      v128.store(out + o, f32x4.mul(low, step(f32x4.sub(b, v), one, zero)));
    }
    for (let i = vectors; i < n; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(x + o);
      store<f32>(out + o, load<f32>(dy + o) * stepScalar(v) * stepScalar(bound - v));
    }
  } else {
    for (let o: usize = 0; o < end; o += 16) {
      v128.store(out + o, f32x4.mul(v128.load(dy + o), step(v128.load(x + o), one, zero)));
    }
    for (let i = vectors; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, load<f32>(dy + o) * stepScalar(load<f32>(x + o)));
    }
  }
}

/**
 * `out[i] = min(x[i], bound)`, or `max` when `isMax`, over n floats with NaN passed on: per lane
 * `bound < x ? bound : x` (pmin) or `x < bound ? bound : x` (pmax), which is also tfjs' result for a
 * nonzero bound (relu6's `minimum(6, relu(x))` forward pass).
 */
export function clampScalar(x: usize, out: usize, n: i32, bound: f32, isMax: bool): void {
  const b = f32x4.splat(bound);
  const vectors = n & ~3;
  const end = <usize>vectors << 2;
  if (isMax) {
    for (let o: usize = 0; o < end; o += 16) v128.store(out + o, f32x4.pmax(v128.load(x + o), b));
    for (let i = vectors; i < n; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(x + o);
      store<f32>(out + o, v < bound ? bound : v);
    }
  } else {
    for (let o: usize = 0; o < end; o += 16) v128.store(out + o, f32x4.pmin(v128.load(x + o), b));
    for (let i = vectors; i < n; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(x + o);
      store<f32>(out + o, bound < v ? bound : v);
    }
  }
}
