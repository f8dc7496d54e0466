import { BERT_SPECIAL_TOKENS } from '../hf/tokenizer-json.js';
import type { MaskingOptions } from './masking.js';

/** What masking needs from a vocabulary: the [MASK] id and the ids never masked or drawn as replacements. */
export type MaskingTokens = Pick<MaskingOptions, 'maskId' | 'specialIds'>;

/**
 * The masking tokens of a WordPiece vocabulary given as token → id; undefined when it has no [MASK]
 * (a model that cannot be trained by masked-LM).
 */
export function maskingTokens(ids: ReadonlyMap<string, number>): MaskingTokens | undefined {
  const maskId = ids.get('[MASK]');
  if (maskId === undefined) return undefined;
  const specialIds = BERT_SPECIAL_TOKENS.map((t) => ids.get(t)).filter((id): id is number => id !== undefined);
  return { maskId, specialIds };
}

/** Token → id of a `vocab.txt` (one token per line, id = line number; the first occurrence wins). */
export function vocabIds(vocab: readonly string[]): Map<string, number> {
  const ids = new Map<string, number>();
  vocab.forEach((token, i) => {
    if (!ids.has(token)) ids.set(token, i);
  });
  return ids;
}

/** Token → id of a Hugging Face `tokenizer.json` (its WordPiece vocabulary and added tokens). */
export function tokenizerJsonIds(json: Record<string, unknown>): Map<string, number> {
  const ids = new Map<string, number>(Object.entries((json.model as { vocab?: Record<string, number> } | undefined)?.vocab ?? {}));
  for (const t of (json.added_tokens as Array<{ id: number; content: string }> | undefined) ?? []) ids.set(t.content, t.id);
  return ids;
}
