// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// Filter gradients of 2-D and depthwise convolutions (NHWC), on the heap of tfjs-backend-wasm: this module
// imports that module's memory, so every pointer below is a byte address of a tensor tfjs allocated there.
//
// Both split the filter gradient by tap (fy, fx): for one tap, the input each output position reads is a
// shifted, strided window of x, and the positions whose window lies inside x are a rectangle
// [oy0, oy1) × [ox0, ox1) of the output (the rest read padding, which is zero and adds nothing). So each
// tap's gradient is a plain sum over that rectangle, with no bounds test inside the loops and no im2col.
// The sums run in float32 in a fixed order (deterministic); NaN and ±∞ propagate as IEEE arithmetic does.

/** First output index o with o·stride + shift ≥ 0. */
function firstInside(shift: i32, stride: i32): i32 {
  return shift >= 0 ? 0 : (stride - 1 - shift) / stride;
}

/** One past the last output index o < outSize with o·stride + shift < inSize. */
function endInside(shift: i32, stride: i32, inSize: i32, outSize: i32): i32 {
  const last = inSize - 1 - shift;
  if (last < 0) return 0;
  return min(outSize, last / stride + 1);
}

/** The output rectangle a tap sees inside x, and how to walk it; set per tap, read by the block loops. */
let oy0: i32 = 0;
let oy1: i32 = 0;
let ox0: i32 = 0;
let ox1: i32 = 0;
/** Byte address in x of the first element the tap reads for output (b, oy, ox0), minus b·xImage and oy·xRow. */
let xTap: usize = 0;
/** Bytes between images, output rows and output columns, in x and dy. */
let xImage: usize = 0;
let xRow: usize = 0;
let xStep: usize = 0;
let dyImage: usize = 0;
let dyRow: usize = 0;
let dyStep: usize = 0;
/** The block of output rows the kernels below add up: rows q ∈ [rowFirst, rowEnd) of all n·oh, image q / outH, row q % outH. */
let rowFirst: i32 = 0;
let rowEnd: i32 = 0;
let outH: i32 = 0;

function setTap(
  x: usize,
  h: i32,
  w: i32,
  c: i32,
  oh: i32,
  ow: i32,
  sh: i32,
  sw: i32,
  rowShift: i32,
  colShift: i32,
  dyChannels: i32,
): void {
  oy0 = firstInside(rowShift, sh);
  oy1 = endInside(rowShift, sh, h, oh);
  ox0 = firstInside(colShift, sw);
  ox1 = endInside(colShift, sw, w, ow);
  xImage = (<usize>h * <usize>w * <usize>c) << 2;
  xRow = (<usize>sh * <usize>w * <usize>c) << 2;
  xStep = (<usize>sw * <usize>c) << 2;
  dyImage = (<usize>oh * <usize>ow * <usize>dyChannels) << 2;
  dyRow = (<usize>ow * <usize>dyChannels) << 2;
  dyStep = <usize>dyChannels << 2;
  // x row of output row 0 may lie before x (negative rowShift): the address wraps and comes back
  // once oy ≥ oy0 is added, which is the only way it is used.
  xTap = x + ((<usize>((rowShift * w + ox0 * sw + colShift) * c)) << 2);
}

/** Start of the walk for image b, output row oy, at column ox0, in x (plus `xOff` bytes). */
function xAt(b: i32, oy: i32, xOff: usize): usize {
  return xTap + <usize>b * xImage + <usize>oy * xRow + xOff;
}

function dyAt(dy: usize, b: i32, oy: i32, dyOff: usize): usize {
  return dy + <usize>b * dyImage + <usize>oy * dyRow + (<usize>ox0 * dyStep) + dyOff;
}

// ---- Depthwise filter gradient (channel multiplier 1) ----
// dW[fy, fx, c] = Σ_(b, oy, ox) x[b, oy·sh + fy·dh − pt, ox·sw + fx·dw − pl, c] · dy[b, oy, ox, c]

/** 16 channels from byte offset `off`: four independent accumulators. */
function depthwise16(x: usize, dy: usize, out: usize, off: usize): void {
  const o = out + off;
  let a0 = v128.load(o);
  let a1 = v128.load(o, 16);
  let a2 = v128.load(o, 32);
  let a3 = v128.load(o, 48);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, off);
    let dp = dyAt(dy, b, oy, off);
    for (let i = 0; i < count; i++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(dp)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(dp, 16)));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(xp, 32), v128.load(dp, 32)));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(xp, 48), v128.load(dp, 48)));
      xp += xs;
      dp += ds;
    }
  }
  v128.store(out + off, a0);
  v128.store(out + off, a1, 16);
  v128.store(out + off, a2, 32);
  v128.store(out + off, a3, 48);
}

/** 8 channels from byte offset `off`. */
function depthwise8(x: usize, dy: usize, out: usize, off: usize): void {
  const o = out + off;
  let a0 = v128.load(o);
  let a1 = v128.load(o, 16);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, off);
    let dp = dyAt(dy, b, oy, off);
    for (let i = 0; i < count; i++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(dp)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(dp, 16)));
      xp += xs;
      dp += ds;
    }
  }
  v128.store(out + off, a0);
  v128.store(out + off, a1, 16);
}

/** 4 channels from byte offset `off`. */
function depthwise4(x: usize, dy: usize, out: usize, off: usize): void {
  let a0 = v128.load(out + off);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, off);
    let dp = dyAt(dy, b, oy, off);
    for (let i = 0; i < count; i++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(dp)));
      xp += xs;
      dp += ds;
    }
  }
  v128.store(out + off, a0);
}

/** One channel at byte offset `off` (the tail of a channel count that is not a multiple of 4). */
function depthwise1(x: usize, dy: usize, out: usize, off: usize): void {
  let a = load<f32>(out + off);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, off);
    let dp = dyAt(dy, b, oy, off);
    for (let i = 0; i < count; i++) {
      a += load<f32>(xp) * load<f32>(dp);
      xp += xs;
      dp += ds;
    }
  }
  store<f32>(out + off, a);
}

/**
 * Writes the filter gradient of a depthwise convolution with channel multiplier 1 to `out`
 * ([kh, kw, c, 1]); `x` is [n, h, w, c], `dy` [n, oh, ow, c]; pads are the top and left padding.
 */
export function depthwiseFilterGrad(
  x: usize,
  dy: usize,
  out: usize,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  oh: i32,
  ow: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  outH = oh;
  memory.fill(out, 0, <usize>(kh * kw * c) << 2);
  // Blocks of output rows, as convFilterGrad below: every tap adds its share of a block of x and dy
  // (while it is in cache) before the next block is read.
  const blockRows = max(1, BLOCK_BYTES / (ow * c * 4 + sh * w * c * 4));
  const totalRows = n * oh;
  for (let q0 = 0; q0 < totalRows; q0 += blockRows) {
    rowFirst = q0;
    rowEnd = min(totalRows, q0 + blockRows);
    for (let fy = 0; fy < kh; fy++) {
      for (let fx = 0; fx < kw; fx++) {
        setTap(x, h, w, c, oh, ow, sh, sw, fy * dh - padTop, fx * dw - padLeft, c);
        if (oy1 <= oy0 || ox1 <= ox0) continue;
        const tapOut = out + ((<usize>((fy * kw + fx) * c)) << 2);
        let ch = 0;
        for (; ch + 16 <= c; ch += 16) depthwise16(x, dy, tapOut, <usize>ch << 2);
        if (ch + 8 <= c) {
          depthwise8(x, dy, tapOut, <usize>ch << 2);
          ch += 8;
        }
        if (ch + 4 <= c) {
          depthwise4(x, dy, tapOut, <usize>ch << 2);
          ch += 4;
        }
        for (; ch < c; ch++) depthwise1(x, dy, tapOut, <usize>ch << 2);
      }
    }
  }
}

// ---- 2-D convolution filter gradient ----
// dW[fy, fx, ci, co] = Σ_(b, oy, ox) x[b, oy·sh + fy·dh − pt, ox·sw + fx·dw − pl, ci] · dy[b, oy, ox, co]
// For one tap this is a [ci × co] block of the product xᵀ·dy over the tap's positions. It is computed
// in register tiles of 4 input channels × 8 output channels (8 vector accumulators): per position, two
// vector loads of dy, four broadcast loads of x, eight multiply-adds. The tails take narrower tiles.
// The output rows go in blocks (convFilterGrad): a tile adds one block's positions to the dW it loads
// and stores back, so x and dy are read from memory once per block rather than once per tile.

/** Bytes between rows of the filter gradient (one input channel of one tap). */
let outRow: usize = 0;

/** Tile of 4 input channels (x byte offset `xOff`) × 8 output channels (dy byte offset `dyOff`). */
function tile4x8(dy: usize, out: usize, xOff: usize, dyOff: usize): void {
  const r = outRow;
  const o = out + dyOff;
  let a00 = v128.load(o);
  let a01 = v128.load(o, 16);
  let a10 = v128.load(o + r);
  let a11 = v128.load(o + r, 16);
  let a20 = v128.load(o + 2 * r);
  let a21 = v128.load(o + 2 * r, 16);
  let a30 = v128.load(o + 3 * r);
  let a31 = v128.load(o + 3 * r, 16);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, xOff);
    let dp = dyAt(dy, b, oy, dyOff);
    for (let i = 0; i < count; i++) {
      const d0 = v128.load(dp);
      const d1 = v128.load(dp, 16);
      let s = v128.load32_splat(xp);
      a00 = f32x4.add(a00, f32x4.mul(s, d0));
      a01 = f32x4.add(a01, f32x4.mul(s, d1));
      s = v128.load32_splat(xp, 4);
      a10 = f32x4.add(a10, f32x4.mul(s, d0));
      a11 = f32x4.add(a11, f32x4.mul(s, d1));
      s = v128.load32_splat(xp, 8);
      a20 = f32x4.add(a20, f32x4.mul(s, d0));
      a21 = f32x4.add(a21, f32x4.mul(s, d1));
      s = v128.load32_splat(xp, 12);
      a30 = f32x4.add(a30, f32x4.mul(s, d0));
      a31 = f32x4.add(a31, f32x4.mul(s, d1));
      xp += xs;
      dp += ds;
    }
  }
  v128.store(o, a00);
  v128.store(o, a01, 16);
  v128.store(o + r, a10);
  v128.store(o + r, a11, 16);
  v128.store(o + 2 * r, a20);
  v128.store(o + 2 * r, a21, 16);
  v128.store(o + 3 * r, a30);
  v128.store(o + 3 * r, a31, 16);
}

/** Tile of 4 input channels × 4 output channels. */
function tile4x4(dy: usize, out: usize, xOff: usize, dyOff: usize): void {
  const r = outRow;
  const o = out + dyOff;
  let a0 = v128.load(o);
  let a1 = v128.load(o + r);
  let a2 = v128.load(o + 2 * r);
  let a3 = v128.load(o + 3 * r);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, xOff);
    let dp = dyAt(dy, b, oy, dyOff);
    for (let i = 0; i < count; i++) {
      const d = v128.load(dp);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), d));
      a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp, 4), d));
      a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp, 8), d));
      a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp, 12), d));
      xp += xs;
      dp += ds;
    }
  }
  v128.store(o, a0);
  v128.store(o + r, a1);
  v128.store(o + 2 * r, a2);
  v128.store(o + 3 * r, a3);
}

/** Tile of 1 input channel × 8 output channels (input-channel tail). */
function tile1x8(dy: usize, out: usize, xOff: usize, dyOff: usize): void {
  const o = out + dyOff;
  let a0 = v128.load(o);
  let a1 = v128.load(o, 16);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, xOff);
    let dp = dyAt(dy, b, oy, dyOff);
    for (let i = 0; i < count; i++) {
      const s = v128.load32_splat(xp);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(dp)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(dp, 16)));
      xp += xs;
      dp += ds;
    }
  }
  v128.store(o, a0);
  v128.store(o, a1, 16);
}

/** Tile of 1 input channel × 4 output channels. */
function tile1x4(dy: usize, out: usize, xOff: usize, dyOff: usize): void {
  let a0 = v128.load(out + dyOff);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, xOff);
    let dp = dyAt(dy, b, oy, dyOff);
    for (let i = 0; i < count; i++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
      xp += xs;
      dp += ds;
    }
  }
  store<v128>(out + dyOff, a0);
}

/** One input channel × one output channel (the output-channel tail). */
function tile1x1(dy: usize, out: usize, xOff: usize, dyOff: usize): void {
  let a = load<f32>(out + dyOff);
  const q0 = rowFirst;
  const q1 = rowEnd;
  const rows = outH;
  const y0 = oy0;
  const y1 = oy1;
  const count = ox1 - ox0;
  const xs = xStep;
  const ds = dyStep;
  for (let q = q0; q < q1; q++) {
    const b = q / rows;
    const oy = q - b * rows;
    if (oy < y0 || oy >= y1) continue;
    let xp = xAt(b, oy, xOff);
    let dp = dyAt(dy, b, oy, dyOff);
    for (let i = 0; i < count; i++) {
      a += load<f32>(xp) * load<f32>(dp);
      xp += xs;
      dp += ds;
    }
  }
  store<f32>(out + dyOff, a);
}

/** The output-channel tiles of one row of input channels (4 rows if `four`, else 1). */
function outputTiles(dy: usize, out: usize, xOff: usize, co: i32, four: bool): void {
  let j = 0;
  for (; j + 8 <= co; j += 8) {
    if (four) tile4x8(dy, out, xOff, <usize>j << 2);
    else tile1x8(dy, out, xOff, <usize>j << 2);
  }
  if (j + 4 <= co) {
    if (four) tile4x4(dy, out, xOff, <usize>j << 2);
    else tile1x4(dy, out, xOff, <usize>j << 2);
    j += 4;
  }
  for (; j < co; j++) {
    const rows = four ? 4 : 1;
    for (let r = 0; r < rows; r++) tile1x1(dy, out + <usize>r * outRow, xOff + (<usize>r << 2), <usize>j << 2);
  }
}

/**
 * Writes the filter gradient of a 2-D convolution to `out` ([kh, kw, ci, co]); `x` is [n, h, w, ci],
 * `dy` [n, oh, ow, co]; pads are the top and left padding.
 */
export function convFilterGrad(
  x: usize,
  dy: usize,
  out: usize,
  n: i32,
  h: i32,
  w: i32,
  ci: i32,
  oh: i32,
  ow: i32,
  co: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  outRow = <usize>co << 2;
  outH = oh;
  memory.fill(out, 0, (<usize>(kh * kw * ci) * <usize>co) << 2);
  // Blocks of output rows whose dy rows and the x rows they read fit in BLOCK_BYTES: every tap's tiles
  // add their share of a block into dW before the next block is read (so x and dy come from L1/L2 once
  // per block, not once per tile), each dW element still summed in (b, oy, ox) order.
  const rowBytes = ow * co * 4 + sh * w * ci * 4;
  const blockRows = max(1, BLOCK_BYTES / rowBytes);
  const totalRows = n * oh;
  for (let q0 = 0; q0 < totalRows; q0 += blockRows) {
    rowFirst = q0;
    rowEnd = min(totalRows, q0 + blockRows);
    for (let fy = 0; fy < kh; fy++) {
      for (let fx = 0; fx < kw; fx++) {
        setTap(x, h, w, ci, oh, ow, sh, sw, fy * dh - padTop, fx * dw - padLeft, co);
        if (oy1 <= oy0 || ox1 <= ox0) continue;
        const tapOut = out + ((<usize>((fy * kw + fx) * ci * co)) << 2);
        let i = 0;
        for (; i + 4 <= ci; i += 4) outputTiles(dy, tapOut + <usize>i * outRow, <usize>i << 2, co, true);
        for (; i < ci; i++) outputTiles(dy, tapOut + <usize>i * outRow, <usize>i << 2, co, false);
      }
    }
  }
}

// ---- Pointwise (1×1, stride 1, no padding) filter gradient ----
// dW[ci, co] = Σ_p x[p, ci] · dy[p, co] over the n·h·w positions, which are contiguous rows of x and dy.
// Here the positions are plain rows of x and dy; with many channels a row is ≥ 1 KB, so those walks
// touch one cache line per position and evict each other from L1. Here positions go in blocks whose rows
// of x and dy fit in L1 together, and every tile of dW takes its share of a block before the next block
// is loaded: the tile's accumulators are stored to and reloaded from dW between blocks (exactly, so the
// sum is still the sequential one).

/** Bytes of x and dy rows one position block may span (half of a 48 KB L1, to leave room for dW). */
const BLOCK_BYTES: i32 = 24 * 1024;

function block4x8(xp: usize, dp: usize, o: usize, count: i32, xs: usize, ds: usize, r: usize): void {
  let a00 = v128.load(o);
  let a01 = v128.load(o, 16);
  let a10 = v128.load(o + r);
  let a11 = v128.load(o + r, 16);
  let a20 = v128.load(o + 2 * r);
  let a21 = v128.load(o + 2 * r, 16);
  let a30 = v128.load(o + 3 * r);
  let a31 = v128.load(o + 3 * r, 16);
  for (let i = 0; i < count; i++) {
    const d0 = v128.load(dp);
    const d1 = v128.load(dp, 16);
    let s = v128.load32_splat(xp);
    a00 = f32x4.add(a00, f32x4.mul(s, d0));
    a01 = f32x4.add(a01, f32x4.mul(s, d1));
    s = v128.load32_splat(xp, 4);
    a10 = f32x4.add(a10, f32x4.mul(s, d0));
    a11 = f32x4.add(a11, f32x4.mul(s, d1));
    s = v128.load32_splat(xp, 8);
    a20 = f32x4.add(a20, f32x4.mul(s, d0));
    a21 = f32x4.add(a21, f32x4.mul(s, d1));
    s = v128.load32_splat(xp, 12);
    a30 = f32x4.add(a30, f32x4.mul(s, d0));
    a31 = f32x4.add(a31, f32x4.mul(s, d1));
    xp += xs;
    dp += ds;
  }
  v128.store(o, a00);
  v128.store(o, a01, 16);
  v128.store(o + r, a10);
  v128.store(o + r, a11, 16);
  v128.store(o + 2 * r, a20);
  v128.store(o + 2 * r, a21, 16);
  v128.store(o + 3 * r, a30);
  v128.store(o + 3 * r, a31, 16);
}

function block4x4(xp: usize, dp: usize, o: usize, count: i32, xs: usize, ds: usize, r: usize): void {
  let a0 = v128.load(o);
  let a1 = v128.load(o + r);
  let a2 = v128.load(o + 2 * r);
  let a3 = v128.load(o + 3 * r);
  for (let i = 0; i < count; i++) {
    const d = v128.load(dp);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), d));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp, 4), d));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp, 8), d));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp, 12), d));
    xp += xs;
    dp += ds;
  }
  v128.store(o, a0);
  v128.store(o + r, a1);
  v128.store(o + 2 * r, a2);
  v128.store(o + 3 * r, a3);
}

function block1x8(xp: usize, dp: usize, o: usize, count: i32, xs: usize, ds: usize): void {
  let a0 = v128.load(o);
  let a1 = v128.load(o, 16);
  for (let i = 0; i < count; i++) {
    const s = v128.load32_splat(xp);
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(dp)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(dp, 16)));
    xp += xs;
    dp += ds;
  }
  v128.store(o, a0);
  v128.store(o, a1, 16);
}

function block1x4(xp: usize, dp: usize, o: usize, count: i32, xs: usize, ds: usize): void {
  let a0 = v128.load(o);
  for (let i = 0; i < count; i++) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
    xp += xs;
    dp += ds;
  }
  v128.store(o, a0);
}

function block1x1(xp: usize, dp: usize, o: usize, count: i32, xs: usize, ds: usize): void {
  let a = load<f32>(o);
  for (let i = 0; i < count; i++) {
    a += load<f32>(xp) * load<f32>(dp);
    xp += xs;
    dp += ds;
  }
  store<f32>(o, a);
}

/** The output-channel tiles of `rows` (4 or 1) input channels over one block of positions. */
function blockRow(xp: usize, dp: usize, o: usize, count: i32, ci: i32, co: i32, four: bool): void {
  const xs = <usize>ci << 2;
  const ds = <usize>co << 2;
  const r = <usize>co << 2;
  let j = 0;
  for (; j + 8 <= co; j += 8) {
    const jb = <usize>j << 2;
    if (four) block4x8(xp, dp + jb, o + jb, count, xs, ds, r);
    else block1x8(xp, dp + jb, o + jb, count, xs, ds);
  }
  if (j + 4 <= co) {
    const jb = <usize>j << 2;
    if (four) block4x4(xp, dp + jb, o + jb, count, xs, ds, r);
    else block1x4(xp, dp + jb, o + jb, count, xs, ds);
    j += 4;
  }
  for (; j < co; j++) {
    const jb = <usize>j << 2;
    const rows = four ? 4 : 1;
    for (let k = 0; k < rows; k++) block1x1(xp + (<usize>k << 2), dp + jb, o + <usize>k * r + jb, count, xs, ds);
  }
}

/** Writes dW ([1, 1, ci, co]) of a 1×1 stride-1 unpadded convolution; x is [positions, ci], dy [positions, co]. */
export function pointwiseFilterGrad(x: usize, dy: usize, out: usize, positions: i32, ci: i32, co: i32): void {
  memory.fill(out, 0, (<usize>ci * <usize>co) << 2);
  const block = max(8, BLOCK_BYTES / ((ci + co) << 2));
  for (let p0 = 0; p0 < positions; p0 += block) {
    const count = min(block, positions - p0);
    const xb = x + ((<usize>p0 * <usize>ci) << 2);
    const db = dy + ((<usize>p0 * <usize>co) << 2);
    let i = 0;
    for (; i + 4 <= ci; i += 4) blockRow(xb + (<usize>i << 2), db, out + ((<usize>i * <usize>co) << 2), count, ci, co, true);
    for (; i < ci; i++) blockRow(xb + (<usize>i << 2), db, out + ((<usize>i * <usize>co) << 2), count, ci, co, false);
  }
}
