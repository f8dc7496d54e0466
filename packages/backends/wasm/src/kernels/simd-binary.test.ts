import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a Node script without types; it builds simd-binary.ts.
import { compileBothVariants, renderBinaryModule, TARGET } from '../../simd/build.mjs';

describe('simd-binary.ts', () => {
  it('is what simd/build.mjs compiles from the committed AssemblyScript source, both variants (run it after editing simd/)', async () => {
    const [bytes, sharedBytes] = (await compileBothVariants()) as [Uint8Array, Uint8Array];
    expect(readFileSync(TARGET as string, 'utf8')).toBe((renderBinaryModule as (b: Uint8Array, s: Uint8Array) => string)(bytes, sharedBytes));
  }, 60_000);
});
