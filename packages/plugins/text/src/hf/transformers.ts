import { GraftError } from '@graft/core';

/** The transformers.js package: an optional peer dependency of @graft/text (with its ONNX runtime, ~470 MB). */
export const TRANSFORMERS_PACKAGE = '@huggingface/transformers';

type Transformers = typeof import('@huggingface/transformers');

/**
 * Load transformers.js on first use. Only hub models and tokenizers that are not BERT WordPiece need
 * it; the rest of @graft/text runs without it. Missing, it is a `GRAFT_MISSING_PACKAGE` naming the
 * package, what needed it (`feature`, config path `where`) and the install command.
 */
export async function importTransformers(feature: string, where?: string): Promise<Transformers> {
  try {
    return await import('@huggingface/transformers');
  } catch (cause) {
    throw missingTransformers(feature, where, cause);
  }
}

/** The error for a transformers.js that cannot be imported: not installed, or installed but broken. */
export function missingTransformers(feature: string, where: string | undefined, cause: unknown): GraftError {
  const code = (cause as { code?: string }).code;
  const message = (cause as Error).message ?? String(cause);
  const notInstalled = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(TRANSFORMERS_PACKAGE);
  return new GraftError('GRAFT_MISSING_PACKAGE', {
    what: notInstalled ? `${feature} needs ${TRANSFORMERS_PACKAGE}, which is not installed` : `${feature} needs ${TRANSFORMERS_PACKAGE}, which cannot be loaded`,
    where,
    why: notInstalled
      ? `transformers.js and its ONNX runtime (~470 MB) are an optional peer dependency of @graft/text; WordPiece vocabularies and local BERT tokenizer.json files work without it`
      : message,
    fix: `Run \`npm install ${TRANSFORMERS_PACKAGE}@~4.3.2\` next to the config${notInstalled ? '' : ' (reinstall it if it is already there)'}`,
    cause,
  });
}
