import { z } from 'zod';

/** A feature column: a name (numeric) or `{ column, kind }`. */
const featureSchema = z.union([
  z.string().min(1),
  z.strictObject({
    column: z.string().min(1).describe('Column name in the header.'),
    /** `numeric` values are imputed and standardised; `categorical` ones are one-hot encoded. @default 'numeric' */
    kind: z.enum(['numeric', 'categorical']).default('numeric').describe('numeric (standardised) or categorical (one-hot).'),
  }),
]);

const targetSchema = z.strictObject({
  /** The column holding the label. @default the target's name */
  column: z.string().min(1).optional().describe('Column holding the label (default: the target name).'),
  /** `classes` for classification labels, `values` for real numbers (regression). */
  kind: z.enum(['classes', 'values']).describe('classes (classification) or values (regression).'),
  /** The class names in head order. @default the distinct labels of the file, sorted */
  classes: z.array(z.string()).min(2).optional().describe('Class names in head order (default: distinct labels, sorted).'),
});

const splitSchema = z
  .strictObject({
    /** Fraction of the rows held out for validation. @default 0.15 */
    validation: z.number().min(0).lt(1).default(0.15).describe('Fraction of rows for validation.'),
    /** Fraction of the rows held out for testing. @default 0.15 */
    test: z.number().min(0).lt(1).default(0.15).describe('Fraction of rows for testing.'),
    /** Seed of the shuffle. @default the run's seed */
    seed: z.number().int().min(0).optional().describe('Seed of the shuffle (default: the run seed).'),
  })
  .refine((s) => s.validation + s.test < 1, { message: 'validation + test must leave rows for training (sum below 1)' });

/** Options of `data: { use: tabular/csv, ... }`. */
export const csvOptionsSchema = z.strictObject({
  /** The CSV file, relative to the config file. */
  path: z.string().min(1).describe('CSV file, relative to the config file.'),
  /** Input columns, in order; each becomes one input feature (categorical: one per category). */
  features: z.array(featureSchema).min(1).describe('Input columns.'),
  /** Label columns by target name; a task picks one with `target`. */
  targets: z.record(z.string().min(1), targetSchema).refine((t) => Object.keys(t).length > 0, { message: 'name at least one target' }).describe('Label columns by target name.'),
  /** The target a task reads when it names none. @default the first target */
  defaultTarget: z.string().optional().describe('Target used by tasks that name none (default: the first).'),
  /** Cell values that mean "missing". @default ['NA', ''] */
  missing: z.array(z.string()).default(['NA', '']).describe('Cell values that mean missing.'),
  /** Field separator. @default ',' */
  delimiter: z.string().length(1).default(',').describe('Field separator.'),
  /** Standardise numeric features with the training split's mean and standard deviation. @default true */
  standardize: z.boolean().default(true).describe('Standardise numeric features with training statistics.'),
  /** Shuffled, seeded train/validation/test split. @default { validation: 0.15, test: 0.15 } */
  split: splitSchema.default({ validation: 0.15, test: 0.15 }),
});

export type CsvOptions = z.output<typeof csvOptionsSchema>;
export type FeatureSpec = z.output<typeof featureSchema>;
