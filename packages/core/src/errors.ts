/**
 * Every failure a user can cause is a `GraftError`: a stable code, what happened, why, what to do,
 * and where (file and config path). The CLI prints `message` as is and exits with `exitCode`.
 */
export type GraftErrorCode =
  | 'GRAFT_CONFIG_NOT_FOUND'
  | 'GRAFT_CONFIG_PARSE'
  | 'GRAFT_CONFIG_INVALID'
  | 'GRAFT_UNKNOWN_PLUGIN_ITEM'
  | 'GRAFT_UNKNOWN_STRATEGY'
  | 'GRAFT_UNKNOWN_SOURCE'
  | 'GRAFT_UNKNOWN_DATASET'
  | 'GRAFT_UNKNOWN_BACKEND'
  | 'GRAFT_UNKNOWN_TASK_TYPE'
  | 'GRAFT_UNKNOWN_WEIGHTING'
  | 'GRAFT_UNKNOWN_CALLBACK'
  | 'GRAFT_PLUGIN_LOAD'
  | 'GRAFT_PLUGIN_API'
  | 'GRAFT_PLUGIN_INVALID'
  | 'GRAFT_PLUGIN_DUPLICATE'
  | 'GRAFT_PLUGIN_DEPENDENCY'
  | 'GRAFT_CORE_DUPLICATE'
  | 'GRAFT_MISSING_PACKAGE'
  | 'GRAFT_BACKEND_UNAVAILABLE'
  | 'GRAFT_BACKEND_KERNEL_MISSING'
  | 'GRAFT_CHECKPOINT_NOT_FOUND'
  | 'GRAFT_CHECKPOINT_CORRUPT'
  | 'GRAFT_CHECKPOINT_MISMATCH'
  | 'GRAFT_MODEL_LOAD'
  | 'GRAFT_DATA_NOT_FOUND'
  | 'GRAFT_DATA_INVALID'
  | 'GRAFT_LABELS_MISMATCH'
  | 'GRAFT_NAN_LOSS'
  | 'GRAFT_OUT_OF_MEMORY'
  | 'GRAFT_RUN_LOCKED'
  | 'GRAFT_INTERRUPTED'
  | 'GRAFT_FILE_ACCESS'
  | 'GRAFT_DOWNLOAD'
  | 'GRAFT_INVALID_ARGUMENT'
  | 'GRAFT_SEARCH_INVALID'
  | 'GRAFT_SEARCH_CONFIG_MISMATCH'
  | 'GRAFT_SEARCH_FAILED'
  | 'GRAFT_QUEUE_UNREACHABLE'
  | 'GRAFT_USAGE';

/** Codes that are the user's input being wrong (exit code 2) rather than a run failing (exit code 1). */
const USAGE_CODES = new Set<GraftErrorCode>([
  'GRAFT_CONFIG_NOT_FOUND',
  'GRAFT_CONFIG_PARSE',
  'GRAFT_CONFIG_INVALID',
  'GRAFT_UNKNOWN_PLUGIN_ITEM',
  'GRAFT_UNKNOWN_STRATEGY',
  'GRAFT_UNKNOWN_SOURCE',
  'GRAFT_UNKNOWN_DATASET',
  'GRAFT_UNKNOWN_BACKEND',
  'GRAFT_UNKNOWN_TASK_TYPE',
  'GRAFT_UNKNOWN_WEIGHTING',
  'GRAFT_UNKNOWN_CALLBACK',
  // A task naming a label column its data lacks (or of the wrong kind) is a config mistake, found before training.
  'GRAFT_LABELS_MISMATCH',
  'GRAFT_PLUGIN_LOAD',
  'GRAFT_PLUGIN_API',
  'GRAFT_PLUGIN_DUPLICATE',
  'GRAFT_PLUGIN_INVALID',
  'GRAFT_PLUGIN_DEPENDENCY',
  'GRAFT_CORE_DUPLICATE',
  'GRAFT_MISSING_PACKAGE',
  'GRAFT_SEARCH_INVALID',
  'GRAFT_SEARCH_CONFIG_MISMATCH',
  'GRAFT_QUEUE_UNREACHABLE',
  'GRAFT_USAGE',
]);

export interface GraftErrorDetails {
  /** What happened, in one sentence. */
  what: string;
  /** Why it is a problem, when that is not obvious from `what`. */
  why?: string;
  /** What the user can do about it. */
  fix?: string;
  /** Where: a file, a config path (`stages[1].lr`), or both. */
  where?: string;
  /** The valid choices, listed in the message. */
  choices?: readonly string[];
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Marks Graft's errors across copies of `@graft/core` in one process (a plugin developed with `npm link`
 * brings its own): `instanceof GraftError` checks this brand, not the class identity.
 */
const GRAFT_ERROR_BRAND = Symbol.for('graft.error');

export class GraftError extends Error {
  override readonly name = 'GraftError';
  readonly code: GraftErrorCode;
  readonly details: GraftErrorDetails;

  constructor(code: GraftErrorCode, details: GraftErrorDetails) {
    super(formatMessage(code, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.details = details;
    Object.defineProperty(this, GRAFT_ERROR_BRAND, { value: true });
  }

  /** True for a GraftError made by any copy of `@graft/core`. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[GRAFT_ERROR_BRAND] === true;
  }

  /** 2 for usage and configuration errors, 130 for a run stopped by SIGINT/SIGTERM, 1 for a run that failed. */
  get exitCode(): 1 | 2 | 130 {
    if (this.code === 'GRAFT_INTERRUPTED') return 130;
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

function formatMessage(code: GraftErrorCode, d: GraftErrorDetails): string {
  const parts = [`${code}: ${sentence(d.what + (d.where ? ` at ${d.where}` : ''))}`];
  if (d.why) parts.push(sentence(d.why));
  if (d.choices && d.choices.length > 0) parts.push(`Valid choices: ${d.choices.join(', ')}.`);
  if (d.fix) parts.push(sentence(d.fix));
  return parts.join(' ');
}

function sentence(text: string): string {
  return /[.!?\n]$/.test(text) ? text : `${text}.`;
}

export function isGraftError(e: unknown): e is GraftError {
  return e instanceof GraftError;
}

/** The closest of `choices` to `input` by edit distance, if it is close enough to be a likely typo. */
export function didYouMean(input: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const d = editDistance(input.toLowerCase(), choice.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = choice;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** An error for a name that is not registered, with the choices and a did-you-mean. */
export function unknownName(
  code: GraftErrorCode,
  kind: string,
  name: string,
  choices: readonly string[],
  where?: string,
): GraftError {
  const guess = didYouMean(name, choices);
  return new GraftError(code, {
    what: `Unknown ${kind} "${name}"`,
    where,
    choices: [...choices].sort(),
    fix: guess ? `Did you mean "${guess}"?` : `Register it with a plugin listed under \`plugins\`, or pick a registered one.`,
  });
}
