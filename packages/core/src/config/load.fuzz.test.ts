import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../errors.js';
import { fromObject } from './load.js';
import { readConfigFile } from './read-file.js';

function graftErrorOrResult(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isGraftError(e)) return true;
    throw e;
  }
}

const FUZZ = { numRuns: 1000, interruptAfterTimeLimit: 8000 };
const dir = mkdtempSync(join(tmpdir(), 'graft-config-fuzz-'));

/** Configs near the real shape, with any value anywhere. */
const any = fc.jsonValue({ maxDepth: 2 });
const nearConfig = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 10 }), any),
    seed: fc.oneof(fc.integer(), any),
    backend: fc.oneof(fc.constantFrom('auto', 'cpu', 'wasm'), any),
    source: fc.oneof(fc.record({ use: fc.oneof(fc.constantFrom('vision/mobilenet', 'text/bert'), any) }, { requiredKeys: [] }), any),
    tasks: fc.oneof(fc.array(fc.record({ name: fc.string({ maxLength: 4 }), type: fc.constantFrom('classification', 'regression'), data: fc.oneof(fc.record({ use: fc.string({ maxLength: 8 }), perClass: any, validation: any }, { requiredKeys: [] }), any) }, { requiredKeys: [] }), { maxLength: 3 }), any),
    stages: fc.oneof(fc.array(fc.record({ use: fc.string({ maxLength: 8 }), epochs: any }, { requiredKeys: [] }), { maxLength: 3 }), any),
    plugins: any,
  },
  { requiredKeys: [] },
);

describe('config loader under fuzzing', () => {
  it('fromObject: any value gives a GraftError or a config', () => {
    fc.assert(fc.property(fc.oneof(any, nearConfig), (raw) => graftErrorOrResult(() => fromObject(raw, 'fuzz.yaml', dir))), FUZZ);
  });

  it('readConfigFile: any YAML or JSON text gives a GraftError or a config', () => {
    const yamlish = fc.array(fc.constantFrom('a: 1\n', 'tasks:\n', '  - ', '&x ', '*x', '[', ']', '{', '}', ': ', '"', "'", '\t', '---\n', '!!binary ', '<<: *x\n', 'name: '), { maxLength: 40 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish, nearConfig.map((c) => JSON.stringify(c))), fc.boolean(), (text, json) => {
        const file = join(dir, json ? 'fuzz.json' : 'fuzz.yaml');
        writeFileSync(file, text);
        return graftErrorOrResult(() => readConfigFile(file));
      }),
      { numRuns: 400, interruptAfterTimeLimit: 8000 },
    );
  });

  it('a YAML alias bomb is refused, not expanded', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, levels.join('\n'));
    const start = performance.now();
    expect(() => readConfigFile(file)).toThrow(/^GRAFT_CONFIG_(PARSE|INVALID)/);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
