// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// Input gradient of a 1×1, stride-1, unpadded convolution: dx[p, i] = Σ_j dy[p, j] · W[i, j]
// (W is the filter [1, 1, ci, co] as a [ci, co] matrix). W is first packed into panels of 8 input
// channels, panel q holding W[8q + k, j] at [j][k], so a panel is one contiguous read per tile. A tile
// is 4 positions × 8 input channels: per j, 4 broadcast loads of dy, 2 vector loads of the panel and
// 8 multiply-adds. Input channels past the last full panel are dot products of a dy row and a W row.
// Sums run over j in order, in float32 (deterministic; NaN and ±∞ propagate as IEEE arithmetic does).

/** Packs `panels` panels of W ([ci, co]); rows past ci (the last panel's tail) are packed as zeros. */
function pack(w: usize, packed: usize, panels: i32, ci: i32, co: i32): void {
  const rowBytes = <usize>co << 2;
  let dst = packed;
  for (let q = 0; q < panels; q++) {
    const panelRows = w + <usize>(q << 3) * rowBytes;
    const inside = min(8, ci - (q << 3));
    for (let j = 0; j < co; j++) {
      const src = panelRows + (<usize>j << 2);
      for (let k = 0; k < 8; k++) store<f32>(dst + (<usize>k << 2), k < inside ? load<f32>(src + <usize>k * rowBytes) : 0);
      dst += 32;
    }
  }
}

function tile4(dyp: usize, panel: usize, o: usize, co: i32, dyRow: usize, dxRow: usize): void {
  let a00 = f32x4.splat(0);
  let a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0);
  let a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0);
  let a21 = f32x4.splat(0);
  let a30 = f32x4.splat(0);
  let a31 = f32x4.splat(0);
  let a = dyp;
  let b = panel;
  const r2 = 2 * dyRow;
  const r3 = 3 * dyRow;
  for (let j = 0; j < co; j++) {
    const w0 = v128.load(b);
    const w1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    a00 = f32x4.add(a00, f32x4.mul(s, w0));
    a01 = f32x4.add(a01, f32x4.mul(s, w1));
    s = v128.load32_splat(a + dyRow);
    a10 = f32x4.add(a10, f32x4.mul(s, w0));
    a11 = f32x4.add(a11, f32x4.mul(s, w1));
    s = v128.load32_splat(a + r2);
    a20 = f32x4.add(a20, f32x4.mul(s, w0));
    a21 = f32x4.add(a21, f32x4.mul(s, w1));
    s = v128.load32_splat(a + r3);
    a30 = f32x4.add(a30, f32x4.mul(s, w0));
    a31 = f32x4.add(a31, f32x4.mul(s, w1));
    a += 4;
    b += 32;
  }
  v128.store(o, a00);
  v128.store(o, a01, 16);
  v128.store(o + dxRow, a10);
  v128.store(o + dxRow, a11, 16);
  v128.store(o + 2 * dxRow, a20);
  v128.store(o + 2 * dxRow, a21, 16);
  v128.store(o + 3 * dxRow, a30);
  v128.store(o + 3 * dxRow, a31, 16);
}

function tile1(dyp: usize, panel: usize, o: usize, co: i32): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a = dyp;
  let b = panel;
  for (let j = 0; j < co; j++) {
    const s = v128.load32_splat(a);
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(b)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(b, 16)));
    a += 4;
    b += 32;
  }
  v128.store(o, a0);
  v128.store(o, a1, 16);
}

function dot(dyp: usize, wRow: usize, co: i32): f32 {
  let s: f32 = 0;
  for (let j = 0; j < co; j++) s += load<f32>(dyp + (<usize>j << 2)) * load<f32>(wRow + (<usize>j << 2));
  return s;
}

/**
 * Writes dx ([positions, ci]) of a 1×1 stride-1 unpadded convolution from dy ([positions, co]) and its
 * filter w ([ci, co]); `packed` is scratch for (ci & ~7)·co floats.
 */
export function pointwiseInputGrad(dy: usize, w: usize, packed: usize, dx: usize, positions: i32, ci: i32, co: i32): void {
  const panels = ci >> 3;
  pack(w, packed, panels, ci, co);
  const dyRow = <usize>co << 2;
  const dxRow = <usize>ci << 2;
  const panelBytes = <usize>co << 5;
  for (let p = 0; p < positions; ) {
    const four = p + 4 <= positions;
    const dyp = dy + <usize>p * dyRow;
    const dxp = dx + <usize>p * dxRow;
    for (let q = 0; q < panels; q++) {
      const panel = packed + <usize>q * panelBytes;
      const o = dxp + (<usize>q << 5);
      if (four) tile4(dyp, panel, o, co, dyRow, dxRow);
      else tile1(dyp, panel, o, co);
    }
    const rows = four ? 4 : 1;
    for (let i = panels << 3; i < ci; i++) {
      const wRow = w + <usize>i * dyRow;
      for (let r = 0; r < rows; r++) {
        store<f32>(dxp + <usize>r * dxRow + (<usize>i << 2), dot(dyp + <usize>r * dyRow, wRow, co));
      }
    }
    p += rows;
  }
}

// ---- Depthwise input gradient (channel multiplier 1) ----
// dx[b, iy, ix, c] = Σ over taps (fy, fx) and outputs (oy, ox) with iy = oy·sh + fy·dh − pt and
// ix = ox·sw + fx·dw − pl of dy[b, oy, ox, c] · W[fy, fx, c]. Scattered row by row: for each output row
// and tap row, each tap adds dy's row times its weights into the dx row it reads (which stays in L1),
// over the range of ox that lands inside x. Channels in vectors of 4, the tail in scalars; the terms of
// each dx element are added in (oy, fy, fx) order.

function firstInsideRow(shift: i32, stride: i32): i32 {
  return shift >= 0 ? 0 : (stride - 1 - shift) / stride;
}

function endInsideRow(shift: i32, stride: i32, inSize: i32, outSize: i32): i32 {
  const last = inSize - 1 - shift;
  if (last < 0) return 0;
  return min(outSize, last / stride + 1);
}

/** Writes dx ([n, h, w, c]) of a depthwise convolution with multiplier 1 from dy ([n, oh, ow, c]) and filter ([kh, kw, c, 1]). */
export function depthwiseInputGrad(
  dy: usize,
  filter: usize,
  dx: usize,
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
  const cBytes = <usize>c << 2;
  const vecBytes = <usize>(c & ~3) << 2;
  memory.fill(dx, 0, <usize>n * <usize>h * <usize>w * cBytes);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const dyRow = dy + (<usize>(b * oh + oy) * <usize>ow) * cBytes;
      for (let fy = 0; fy < kh; fy++) {
        const iy = oy * sh + fy * dh - padTop;
        if (iy < 0 || iy >= h) continue;
        const dxRow = dx + (<usize>(b * h + iy) * <usize>w) * cBytes;
        for (let fx = 0; fx < kw; fx++) {
          const shift = fx * dw - padLeft;
          const ox0 = firstInsideRow(shift, sw);
          const ox1 = endInsideRow(shift, sw, w, ow);
          const tap = filter + <usize>(fy * kw + fx) * cBytes;
          let d = dyRow + <usize>ox0 * cBytes;
          let x = dxRow + <usize>(ox0 * sw + shift) * cBytes;
          const xStep = <usize>sw * cBytes;
          for (let ox = ox0; ox < ox1; ox++) {
            for (let o: usize = 0; o < vecBytes; o += 16) {
              v128.store(x + o, f32x4.add(v128.load(x + o), f32x4.mul(v128.load(d + o), v128.load(tap + o))));
            }
            for (let o = vecBytes; o < cBytes; o += 4) {
              store<f32>(x + o, load<f32>(x + o) + load<f32>(d + o) * load<f32>(tap + o));
            }
            d += cBytes;
            x += xStep;
          }
        }
      }
    }
  }
}

// ---- Input gradient of a k×k convolution ----
// dcol = dy · Wᵀ (the filter read as a [kh·kw·ci, co] matrix), then col2im: dx[b, iy, ix, :] +=
// dcol[(b, oy, ox), (fy, fx, :)] for every tap that read (iy, ix). Done one output row at a time: the
// row's dcol ([ow, kh·kw·ci], rounded up to whole panels of 8, which W's zero-padded packing fills
// with zeros) is computed by the tiles above into `scratch`, where it stays in L1, and scattered at once,
// by scatterRow. The terms of each dx element are added in (b, oy, fy, ox) order.

/**
 * Adds one tap row of one output row's columns (`cols`: the taps (fy, 0…kw−1) of position ox at
 * cols + ox·colBytes) into the dx row they were read from. With dilation 1 the kw taps of a position read
 * kw neighbouring pixels, kw·c contiguous floats of dx, also contiguous in the columns: added as one span
 * (vectors, then scalars). Positions with a tap outside x, and dilated filters, go tap by tap.
 */
function scatterRow(cols: usize, dxRow: usize, colBytes: usize, c: i32, w: i32, ow: i32, kw: i32, sw: i32, dw: i32, padLeft: i32): void {
  const cBytes = <usize>c << 2;
  const span = <usize>(kw * c) << 2;
  const spanVec = span & ~(<usize>15);
  for (let ox = 0; ox < ow; ox++) {
    const ix0 = ox * sw - padLeft;
    const s = cols + <usize>ox * colBytes;
    if (dw == 1 && ix0 >= 0 && ix0 + kw <= w) {
      const x = dxRow + <usize>ix0 * cBytes;
      for (let o: usize = 0; o < spanVec; o += 16) v128.store(x + o, f32x4.add(v128.load(x + o), v128.load(s + o)));
      for (let o = spanVec; o < span; o += 4) store<f32>(x + o, load<f32>(x + o) + load<f32>(s + o));
      continue;
    }
    for (let fx = 0; fx < kw; fx++) {
      const ix = ix0 + fx * dw;
      if (ix < 0 || ix >= w) continue;
      const x = dxRow + <usize>ix * cBytes;
      const t = s + <usize>fx * cBytes;
      for (let o: usize = 0; o < cBytes; o += 4) store<f32>(x + o, load<f32>(x + o) + load<f32>(t + o));
    }
  }
}

/**
 * Writes dx ([n, h, w, c]) of a convolution with filter `filter` ([kh, kw, c, co]) from dy ([n, oh, ow, co]);
 * `packed` is scratch for ⌈kh·kw·c / 8⌉·8·co floats, `scratch` for ow·⌈kh·kw·c / 8⌉·8.
 */
export function convInputGrad(
  dy: usize,
  filter: usize,
  packed: usize,
  scratch: usize,
  dx: usize,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
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
  const rows = kh * kw * c;
  const panels = (rows + 7) >> 3;
  pack(filter, packed, panels, rows, co);
  const dyRow = <usize>co << 2;
  const colBytes = <usize>panels << 5;
  const panelBytes = <usize>co << 5;
  const cBytes = <usize>c << 2;
  memory.fill(dx, 0, <usize>n * <usize>h * <usize>w * cBytes);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const dyp0 = dy + (<usize>(b * oh + oy) * <usize>ow) * dyRow;
      for (let p = 0; p < ow; ) {
        const four = p + 4 <= ow;
        const dyp = dyp0 + <usize>p * dyRow;
        const o = scratch + <usize>p * colBytes;
        for (let q = 0; q < panels; q++) {
          const panel = packed + <usize>q * panelBytes;
          if (four) tile4(dyp, panel, o + (<usize>q << 5), co, dyRow, colBytes);
          else tile1(dyp, panel, o + (<usize>q << 5), co);
        }
        p += four ? 4 : 1;
      }
      for (let fy = 0; fy < kh; fy++) {
        const iy = oy * sh + fy * dh - padTop;
        if (iy < 0 || iy >= h) continue;
        scatterRow(scratch + <usize>(fy * kw) * cBytes, dx + (<usize>(b * h + iy) * <usize>w) * cBytes, colBytes, c, w, ow, kw, sw, dw, padLeft);
      }
    }
  }
}
