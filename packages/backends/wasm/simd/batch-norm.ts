// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// BatchNorm with per-channel statistics (the last axis): the forward pass in one pass over x, and the
// two sums its gradient needs, Σ dy and Σ dy·(x − mean) over all other axes, in one pass over x and dy
// (8 or 4 channels per vector block, float32 sums in row order: deterministic; NaN and ±∞ propagate as
// IEEE arithmetic does).

function sums8(x: usize, mean: usize, dy: usize, out: usize, off: usize, rows: i32, c: i32): void {
  const m0 = v128.load(mean + off);
  const m1 = v128.load(mean + off, 16);
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let t0 = f32x4.splat(0);
  let t1 = f32x4.splat(0);
  const stride = <usize>c << 2;
  let xp = x + off;
  let dp = dy + off;
  for (let r = 0; r < rows; r++) {
    const d0 = v128.load(dp);
    const d1 = v128.load(dp, 16);
    s0 = f32x4.add(s0, d0);
    s1 = f32x4.add(s1, d1);
    t0 = f32x4.add(t0, f32x4.mul(d0, f32x4.sub(v128.load(xp), m0)));
    t1 = f32x4.add(t1, f32x4.mul(d1, f32x4.sub(v128.load(xp, 16), m1)));
    xp += stride;
    dp += stride;
  }
  v128.store(out + off, s0);
  v128.store(out + off, s1, 16);
  v128.store(out + stride + off, t0);
  v128.store(out + stride + off, t1, 16);
}

function sums4(x: usize, mean: usize, dy: usize, out: usize, off: usize, rows: i32, c: i32): void {
  const m0 = v128.load(mean + off);
  let s0 = f32x4.splat(0);
  let t0 = f32x4.splat(0);
  const stride = <usize>c << 2;
  let xp = x + off;
  let dp = dy + off;
  for (let r = 0; r < rows; r++) {
    const d0 = v128.load(dp);
    s0 = f32x4.add(s0, d0);
    t0 = f32x4.add(t0, f32x4.mul(d0, f32x4.sub(v128.load(xp), m0)));
    xp += stride;
    dp += stride;
  }
  v128.store(out + off, s0);
  v128.store(out + stride + off, t0);
}

function sums1(x: usize, mean: usize, dy: usize, out: usize, off: usize, rows: i32, c: i32): void {
  const m = load<f32>(mean + off);
  let s: f32 = 0;
  let t: f32 = 0;
  const stride = <usize>c << 2;
  let xp = x + off;
  let dp = dy + off;
  for (let r = 0; r < rows; r++) {
    const d = load<f32>(dp);
    s += d;
    t += d * (load<f32>(xp) - m);
    xp += stride;
    dp += stride;
  }
  store<f32>(out + off, s);
  store<f32>(out + stride + off, t);
}

/** Writes `[Σ dy, Σ dy·(x − mean)]` per channel to `out` ([2, c]); x and dy are [rows, c], mean [c]. */
export function batchNormGradSums(x: usize, mean: usize, dy: usize, out: usize, rows: i32, c: i32): void {
  let ch = 0;
  for (; ch + 8 <= c; ch += 8) sums8(x, mean, dy, out, <usize>ch << 2, rows, c);
  if (ch + 4 <= c) {
    sums4(x, mean, dy, out, <usize>ch << 2, rows, c);
    ch += 4;
  }
  for (; ch < c; ch++) sums1(x, mean, dy, out, <usize>ch << 2, rows, c);
}

/**
 * BatchNorm's forward pass with per-channel statistics: `out = (x − mean)·factor + shift` per channel,
 * factor = scale/√(var + ε) and shift = offset computed by the caller into `params` ([2, c]). Rows in
 * order, channels in vectors of 4 (the tail in scalars): the same float32 subtraction, product and sum
 * as the Sub and multiply-add passes it replaces.
 */
export function batchNormForward(x: usize, mean: usize, params: usize, out: usize, rows: i32, c: i32): void {
  const rowBytes = <usize>c << 2;
  const vectorBytes = <usize>(c & ~3) << 2;
  const factor = params;
  const shift = params + rowBytes;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * rowBytes;
    const xp = x + base;
    const op = out + base;
    for (let o: usize = 0; o < vectorBytes; o += 16) {
      const centred = f32x4.sub(v128.load(xp + o), v128.load(mean + o));
      v128.store(op + o, f32x4.add(f32x4.mul(centred, v128.load(factor + o)), v128.load(shift + o)));
    }
    for (let o = vectorBytes; o < rowBytes; o += 4) {
      store<f32>(op + o, (load<f32>(xp + o) - load<f32>(mean + o)) * load<f32>(factor + o) + load<f32>(shift + o));
    }
  }
}
