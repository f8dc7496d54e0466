import { z } from 'zod';
import { parseCsv, type DatasetProvider } from '@graft/core';
import { buildDataset, csvDataset } from './csv/dataset.js';
import { csvOptionsSchema } from './csv/options.js';
import { penguinsFile } from './penguins.js';

const options = z.strictObject({
  /** The penguins CSV. @default the public file, from the cache, Debian's r-cran-palmerpenguins, `GRAFT_MIRROR` or the network */
  path: z.string().optional().describe('penguins.csv (default: the public file, downloaded once into the cache).'),
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
  files: () => [penguinsFile()],
  async load(o, ctx) {
    const csv = csvOptionsSchema.parse({
      path: o.path ?? 'penguins.csv',
      features: ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm'],
      targets: { species: { kind: 'classes' }, sex: { kind: 'classes' }, mass: { column: 'body_mass_g', kind: 'values' } },
      split: o.split,
    });
    if (o.path) return csvDataset.load(csv, ctx);
    const text = new TextDecoder().decode(await ctx.env.resources.get(penguinsFile()));
    return buildDataset(parseCsv(text, 'penguins.csv'), csv, ctx, 'penguins.csv');
  },
};
