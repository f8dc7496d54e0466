import fc from 'fast-check';
import { isGraftError } from '@graft/core/internal';
import { describe, expect, it } from 'vitest';
import { csvOptions, rowsOf } from './csv.js';
import { jsonlOptions, parseJsonl } from './jsonl.js';

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
const single = jsonlOptions.parse({ path: 'x.jsonl' });
const multi = jsonlOptions.parse({ path: 'x.jsonl', labelField: ['label', 'tone'] });
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 1 }));
const record = fc.record({ text: value, label: value, tone: value, split: fc.oneof(value, fc.constantFrom('train', 'dev', 'test', 'validation')) }, { requiredKeys: [] });
const jsonlText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.oneof(record.map((r) => JSON.stringify(r)), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 10 })), { maxLength: 8 }).map((lines) => lines.join('\n')),
  fc.array(record, { maxLength: 8 }).map((rows) => `\ufeff${rows.map((r) => JSON.stringify(r)).join('\r\n')}`),
);

describe('text readers under fuzzing', () => {
  it('JSONL: a GraftError, or rows with string texts, string-or-absent labels and string-or-absent splits', () => {
    fc.assert(
      fc.property(jsonlText, fc.boolean(), (text, several) =>
        graftErrorOrResult(() => {
          for (const row of parseJsonl(text, several ? multi : single, 'fuzz.jsonl')) {
            expect(typeof row.text).toBe('string');
            for (const l of Object.values(row.labels)) expect(l === undefined || typeof l === 'string').toBe(true);
            expect(row.split === undefined || typeof row.split === 'string').toBe(true);
          }
        }),
      ),
      FUZZ,
    );
  });

  it('text CSV: a GraftError or rows', () => {
    const text = fc.array(fc.constantFrom(',', '"', '\n', '\r\n', '\ufeff', 'text', 'label', 'split', 'a', 'b', 'train', 'test'), { maxLength: 60 }).map((p) => p.join(''));
    const o = csvOptions.parse({ path: 'x.csv' });
    fc.assert(fc.property(fc.oneof(text, fc.string({ maxLength: 100 })), (t) => graftErrorOrResult(() => rowsOf(t, o, 'fuzz.csv'))), FUZZ);
  });
});
