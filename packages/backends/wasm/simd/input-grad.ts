// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// Input gradient of a 1×1, stride-1, unpadded convolution: dx[p, i] = Σ_j dy[p, j] · W[i, j]
// (W is the filter [1, 1, ci, co] as a [ci, co] matrix). W is first packed into panels of 8 input
// channels, panel q holding W[8q + k, j] at [j][k], so a panel is one contiguous read per tile. A tile
// is 4 positions × 8 input channels: per j, 4 broadcast loads of dy, 2 vector loads of the panel and
// 8 multiply-adds. Input channels past the last full panel are dot products of a dy row and a W row.
// Sums run over j in order, in float32 (deterministic; NaN and ±∞ propagate as IEEE arithmetic does).

function pack(w: usize, packed: usize, panels: i32, co: i32): void {
  const rowBytes = <usize>co << 2;
  let dst = packed;
  for (let q = 0; q < panels; q++) {
    const panelRows = w + <usize>(q << 3) * rowBytes;
    for (let j = 0; j < co; j++) {
      const src = panelRows + (<usize>j << 2);
      for (let k = 0; k < 8; k++) store<f32>(dst + (<usize>k << 2), load<f32>(src + <usize>k * rowBytes));
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
  pack(w, packed, panels, co);
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
