import fc from 'fast-check';
import { isGraftError } from '@graft/core/internal';
import { describe, it } from 'vitest';
import { groupBytes, parseModelJson } from './manifest.js';

function graftErrorOrResult(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isGraftError(e)) return true;
    throw e;
  }
}

const FUZZ = { numRuns: 2000, interruptAfterTimeLimit: 8000 };

const weight = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    shape: fc.oneof(fc.array(fc.oneof(fc.nat(100), fc.integer({ min: -5, max: 2 ** 40 }), fc.double(), fc.string({ maxLength: 2 })), { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
    dtype: fc.constantFrom('float32', 'int32', 'bool', 'complex64', 'string', 'float16', ''),
    quantization: fc.option(fc.record({ dtype: fc.constantFrom('uint8', 'uint16', 'float16', 'int4'), scale: fc.double(), min: fc.double() })),
  },
  { requiredKeys: [] },
);
const path = fc.oneof(
  fc.constantFrom('group1-shard1of1.bin', './group1-shard1of1.bin', '../x.bin', '/etc/passwd', 'a/../../b', 'file:///x', '%2e%2e/x', 'a\\b', ''),
  fc.string({ maxLength: 12 }),
);
const group = fc.record({ paths: fc.oneof(fc.array(path, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })), weights: fc.oneof(fc.array(weight, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] });
const modelJson = fc.record(
  {
    modelTopology: fc.oneof(fc.constant({ class_name: 'Sequential', config: {} }), fc.jsonValue({ maxDepth: 2 }), fc.constant({ node: [] })),
    format: fc.constantFrom('layers-model', 'graph-model', undefined),
    weightsManifest: fc.oneof(fc.array(group, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: [] },
);

describe('parseModelJson under fuzzing', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => graftErrorOrResult(() => parseModelJson(text, 'fuzz/model.json'))), FUZZ);
  });

  it('random manifests: checked ones have safe, distinct paths and a bounded byte count', () => {
    fc.assert(
      fc.property(modelJson, (json) =>
        graftErrorOrResult(() => {
          const parsed = parseModelJson(JSON.stringify(json), 'fuzz/model.json');
          let total = 0;
          const seen = new Set<string>();
          for (const g of parsed.weightsManifest) {
            total += groupBytes(g, 'fuzz/model.json');
            for (const p of g.paths) {
              const key = p.split('/').filter((s) => s !== '' && s !== '.').join('/');
              if (seen.has(key) || key.split('/').includes('..') || p.startsWith('/')) throw new Error(`unsafe or repeated path ${p} accepted`);
              seen.add(key);
            }
          }
          if (!(total <= 2 ** 31 - 1)) throw new Error(`${total} bytes accepted`);
        }),
      ),
      FUZZ,
    );
  });
});
