import { z } from 'zod';
import { GraftError, type DatasetProvider } from '@graft/core';
import { csvDataset } from './csv/dataset.js';
import { csvOptionsSchema } from './csv/options.js';
import { findPenguinsCsv, PENGUINS_DIR } from './penguins.js';

const options = z.strictObject({
  /** The penguins CSV. @default found on this machine (see `findPenguinsCsv`) */
  path: z.string().optional().describe('penguins.csv (default: the Debian package’s copy, or the Graft cache’s).'),
  split: csvOptionsSchema.shape.split,
});

/**
 * `tabular/penguins`: Palmer penguins (Horst, Hill & Gorman 2020; CC0), the three body measurements as
 * features and three label columns — `species` and `sex` (classes, `sex` missing for 11 birds) and
 * `mass` (body mass in grams) — for multi-task demos. Reads the real CSV through `tabular/csv`.
 */
export const penguinsDataset: DatasetProvider<z.output<typeof options>> = {
  name: 'tabular/penguins',
  description: 'Palmer penguins: bill length/depth and flipper length → species, sex (with missing labels) and body mass.',
  options,
  async load(o, ctx) {
    const path = o.path ?? findPenguinsCsv();
    if (!path) {
      throw new GraftError('GRAFT_DATA_NOT_FOUND', {
        what: 'The Palmer penguins CSV is not on this machine',
        where: ctx.where,
        fix: `Install Debian's r-cran-palmerpenguins (it lands in ${PENGUINS_DIR}), or run packages/plugins/tabular/scripts/fetch-test-assets.sh to unpack it into the Graft cache without R, or set \`path\``,
      });
    }
    return csvDataset.load(
      csvOptionsSchema.parse({
        path,
        features: ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm'],
        targets: { species: { kind: 'classes' }, sex: { kind: 'classes' }, mass: { column: 'body_mass_g', kind: 'values' } },
        split: o.split,
      }),
      ctx,
    );
  },
};
