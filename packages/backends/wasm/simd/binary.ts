// AssemblyScript, compiled by ./build.mjs into ../src/kernels/simd-binary.ts. Not part of the TypeScript build.
//
// Elementwise a ∘ b where one operand is a per-channel vector ([c] or [1, …, 1, c]) broadcast over the
// rows of the other ([rows, c] in memory): BatchNorm's statistics and its gradient apply such products,
// sums and quotients to every activation, and tfjs-backend-wasm's broadcasting path takes ~3 ns per
// element for them. One IEEE float32 operation per element, as that path does (same bits).

const MUL: i32 = 0;
const ADD: i32 = 1;
const SUB: i32 = 2;
const DIV: i32 = 3;

function vop(op: i32, a: v128, b: v128): v128 {
  if (op == MUL) return f32x4.mul(a, b);
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  return f32x4.div(a, b);
}

function sop(op: i32, a: f32, b: f32): f32 {
  if (op == MUL) return a * b;
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  return a / b;
}

/** Rows of `full` against `channel`, `channel` as the right operand (`channelFirst` false) or the left. */
function rowsOp(full: usize, channel: usize, out: usize, rows: i32, c: i32, op: i32, channelFirst: bool): void {
  const rowBytes = <usize>c << 2;
  const vecBytes = <usize>(c & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * rowBytes;
    const f = full + base;
    const o = out + base;
    if (channelFirst) {
      for (let k: usize = 0; k < vecBytes; k += 16) v128.store(o + k, vop(op, v128.load(channel + k), v128.load(f + k)));
      for (let k = vecBytes; k < rowBytes; k += 4) store<f32>(o + k, sop(op, load<f32>(channel + k), load<f32>(f + k)));
    } else {
      for (let k: usize = 0; k < vecBytes; k += 16) v128.store(o + k, vop(op, v128.load(f + k), v128.load(channel + k)));
      for (let k = vecBytes; k < rowBytes; k += 4) store<f32>(o + k, sop(op, load<f32>(f + k), load<f32>(channel + k)));
    }
  }
}

/**
 * `out = full ∘ channel` (or `channel ∘ full` when `channelFirst`), `full` being [rows, c] and `channel`
 * [c]; op 0 multiply, 1 add, 2 subtract, 3 divide. One specialised loop per op (the op is a constant
 * inside each call below, so the branches fold away).
 */
export function channelBinary(full: usize, channel: usize, out: usize, rows: i32, c: i32, op: i32, channelFirst: bool): void {
  if (op == MUL) rowsOp(full, channel, out, rows, c, MUL, channelFirst);
  else if (op == ADD) rowsOp(full, channel, out, rows, c, ADD, channelFirst);
  else if (op == SUB) rowsOp(full, channel, out, rows, c, SUB, channelFirst);
  else rowsOp(full, channel, out, rows, c, DIV, channelFirst);
}
