import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRAFT_VERSION } from './version.js';

describe('GRAFT_VERSION', () => {
  it('is the version in @graft/core’s package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(GRAFT_VERSION).toBe(manifest.version);
  });
});
