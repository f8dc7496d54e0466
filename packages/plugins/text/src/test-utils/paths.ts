import { join } from 'node:path';

/** The real bert-base-uncased WordPiece vocabulary, kept beside the project in ../shared (never copied in). */
export const BERT_VOCAB = join(import.meta.dirname, '../../../../../../shared/models/bert-base-uncased-vocab/vocab.txt');

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
