import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const check = (...entries: string[]) => {
  try {
    return { ok: true, out: execFileSync(process.execPath, ['scripts/check-browser-imports.mjs', ...entries], { cwd: root, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    return { ok: false, out: String((e as { stderr?: string }).stderr) };
  }
};

describe('browser entries', () => {
  it('reach no node: module from @graft/core/browser, @graft/strategies or @graft/vision/browser', () => {
    const result = check('packages/core/src/browser.ts', 'packages/plugins/strategies/src/index.ts', 'packages/plugins/vision/src/browser.ts');
    expect(result.out).toContain('packages/core/src/browser.ts');
    expect(result.ok).toBe(true);
  });

  it('would catch one: the Node entry of core is flagged, with the import chain', () => {
    const result = check('packages/core/src/index.ts');
    expect(result.ok).toBe(false);
    expect(result.out).toMatch(/"node:fs" is reachable through packages\/core\/src\/index\.ts → /);
  });
});
