import { z } from 'zod';

/** Options every file-based text dataset shares. */
export const textFileOptionsShape = {
  /** The training file, relative to the config file. */
  path: z.string().min(1).describe('The training file (rows may also name their split in `splitField`), relative to the config file.'),
  /** An optional validation file. */
  validationPath: z.string().min(1).optional().describe('An optional validation file, relative to the config file.'),
  /** An optional test file. */
  testPath: z.string().min(1).optional().describe('An optional test file, relative to the config file.'),
  /** Field holding the text. @default 'text' */
  textField: z.string().min(1).default('text').describe('Field (column) holding the text.'),
  /**
   * Field holding the class label; rows without one are unlabelled (masked). A list of fields makes one
   * label column per field, named by the field, so that each can be a task (`target: <field>`).
   * @default 'label'
   */
  labelField: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .default('label')
    .describe('Field holding the class label (the target is then named "label"), or a list of fields: one target per field, named by the field, each usable as a task (`target: <field>`). Rows without a label are masked.'),
  /** Field naming each row's split (`train`, `validation`, `test`); rows without it are training rows. @default 'split' */
  splitField: z.string().min(1).default('split').describe('Field naming the split of a row: train, validation (or dev), test. Rows without it are training rows.'),
  /**
   * When no test split is given (no `testPath`, no row marked `test`), this fraction of the training texts
   * is carved off as a test split, stratified by the first label field; 0 keeps every text for training
   * (final metrics then come from no held-out texts). @default 0.2
   */
  testFraction: z.number().min(0).max(0.9).default(0.2).describe('Without a test file or rows marked test, this fraction of the training texts is held out as a stratified test split (0: none).'),
  /**
   * Tokenizer: a directory in the Hugging Face layout or the base URL of one, a hub id (Node only), or a WordPiece
   * `vocab.txt`. @default the source's tokenizer (`text/bert`'s folder, `text/bert-init`'s `vocab`)
   */
  tokenizer: z.string().min(1).optional().describe("Tokenizer: a Hugging Face directory or its base URL, a hub id (Node only) or a WordPiece vocab.txt. Default: the source's tokenizer."),
  /** Texts longer than this many tokens are truncated (and counted in the notes). @default 128 */
  maxLength: z.number().int().min(2).max(4096).default(128).describe('Texts longer than this many tokens are truncated (and counted in the notes).'),
  /** Class order; labels outside it are an error. With several label fields, a list per field. @default the sorted distinct labels */
  classes: z
    .union([z.array(z.string()).min(1), z.record(z.string(), z.array(z.string()).min(1))])
    .optional()
    .describe('Class order (labels outside it are an error); with several label fields, an object of lists by field. Default: the sorted distinct labels.'),
};
