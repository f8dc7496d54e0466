import { isGraftError } from '@graft/core';

/** A failure the training worker already described for the page. */
export class TrainingFailed extends Error {
  override name = 'TrainingFailed';
}

/** A message for the page: a Graft error's own text, anything else named as unexpected. */
export function describeError(error: unknown): string {
  if (isGraftError(error) || error instanceof TrainingFailed) return error.message;
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
