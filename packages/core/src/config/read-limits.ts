import { GraftError } from '../errors.js';

/**
 * Bounds checked before a config is parsed, so a huge or hostile file is refused in milliseconds instead of
 * exhausting memory (a 54 MB config once took 90 s and 4 GB before failing; YAML aliases expand
 * exponentially, "billion laughs").
 */
export const CONFIG_LIMITS = {
  /** A config is a page of YAML; 1 MiB is far beyond any real one. */
  maxBytes: 1024 * 1024,
  /** Nesting of `[` and `{` (flow collections, JSON) and of block indentation levels. */
  maxDepth: 64,
  /** YAML aliases (`*name`) in one file. */
  maxAliases: 100,
} as const;

function tooDeep(file: string, depth: number): GraftError {
  return new GraftError('GRAFT_CONFIG_PARSE', {
    what: `${file} nests ${depth} levels deep`,
    why: `A config nests at most ${CONFIG_LIMITS.maxDepth} levels; deeper nesting is refused before parsing (it would exhaust the parser's stack).`,
    fix: 'Flatten the config; real configs nest a handful of levels',
  });
}

/** Refuse a config text that is over the size, nesting or alias bounds. */
export function checkConfigBounds(text: string, file: string, bytes: number): void {
  if (bytes > CONFIG_LIMITS.maxBytes) {
    throw new GraftError('GRAFT_CONFIG_PARSE', {
      what: `${file} is ${bytes} bytes, over the ${CONFIG_LIMITS.maxBytes}-byte limit for a config`,
      why: 'A config describes a run in a page of YAML; data belongs in the files it points at.',
      fix: 'Check that -c names the config and not a data file; move data into a dataset file',
    });
  }
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > CONFIG_LIMITS.maxDepth) throw tooDeep(file, depth);
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  // Block YAML: each level indents by at least one column.
  const indents = new Set<number>();
  for (const line of text.split('\n')) {
    const match = /^( *)[^ #\r]/.exec(line);
    if (match) indents.add(match[1]!.length);
  }
  if (indents.size > CONFIG_LIMITS.maxDepth) throw tooDeep(file, indents.size);
}
