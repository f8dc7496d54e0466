import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGraftError } from '../errors.js';
import { parseCsv } from './csv.js';

function graftErrorOrResult(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isGraftError(e)) return true;
    throw e;
  }
}

const FUZZ = { numRuns: 3000, interruptAfterTimeLimit: 8000 };
/** Text made mostly of the characters CSV treats specially. */
const csvText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(fc.constantFrom(',', ';', '"', '\n', '\r', '\r\n', '\ufeff', 'a', 'b', ' ', '""', 'x,y'), { maxLength: 80 }).map((parts) => parts.join('')),
);

describe('parseCsv under fuzzing', () => {
  it('any text gives a GraftError or a table whose rows all match the header', () => {
    fc.assert(
      fc.property(csvText, fc.constantFrom(',', ';', '\t'), (text, delimiter) =>
        graftErrorOrResult(() => {
          const { header, rows } = parseCsv(text, 'fuzz.csv', delimiter);
          for (const row of rows) expect(row.length).toBe(header.length);
        }),
      ),
      FUZZ,
    );
  });

  it('round-trips any table written with RFC 4180 quoting', () => {
    const cell = fc.string({ maxLength: 6 });
    // Header names are trimmed, non-empty and distinct (parseCsv refuses anything else).
    const name = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() === s && s !== '');
    const table = fc.integer({ min: 1, max: 4 }).chain((w) =>
      fc.tuple(fc.uniqueArray(name, { minLength: w, maxLength: w }), fc.array(fc.array(cell, { minLength: w, maxLength: w }), { maxLength: 5 })),
    );
    fc.assert(
      fc.property(table, ([header, rows]) => {
        const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
        const text = [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n');
        const parsed = parseCsv(text, 'fuzz.csv');
        expect(parsed.header).toEqual(header);
        expect(parsed.rows).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });
});
