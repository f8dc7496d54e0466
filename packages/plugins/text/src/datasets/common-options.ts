import { z } from 'zod';

/** Options every file-based text dataset shares. */
export const textFileOptionsShape = {
  /** The training file, relative to the config file. */
  path: z.string().min(1),
  /** An optional validation file. */
  validationPath: z.string().min(1).optional(),
  /** An optional test file. */
  testPath: z.string().min(1).optional(),
  /** Field holding the text. @default 'text' */
  textField: z.string().min(1).default('text'),
  /** Field holding the class label; rows without one are unlabelled (masked). @default 'label' */
  labelField: z.string().min(1).default('label'),
  /** Tokenizer: a directory in the Hugging Face layout, a hub id, or a WordPiece `vocab.txt`. @default the source's tokenizer (`text/bert`'s directory, `text/bert-init`'s `vocab`) */
  tokenizer: z.string().min(1).optional(),
  /** Texts longer than this many tokens are truncated (and counted in the notes). @default 128 */
  maxLength: z.number().int().min(2).max(4096).default(128),
  /** Class order; labels outside it are an error. @default the sorted distinct labels */
  classes: z.array(z.string()).min(1).optional(),
};
