import type { z } from 'zod';
import { didYouMean, GraftError } from '../errors.js';

/** `['stages', 1, 'lr']` → `stages[1].lr` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; options?: z.ZodType[] };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object schema accepts at `path`, for did-you-mean on unknown keys. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType): z.ZodType => {
    const d = defOf(s);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === 'pipe' && d.in) return unwrap(d.in);
    if (d.type === 'union' && d.options) {
      const object = d.options.map(unwrap).find((o) => defOf(o).type === 'object');
      return object ?? s;
    }
    return s;
  };
  for (const key of path) {
    if (!current) return [];
    const d = defOf(unwrap(current));
    current = typeof key === 'number' ? d.element : d.shape?.[String(key)];
  }
  if (!current) return [];
  const d = defOf(unwrap(current));
  return d.shape ? Object.keys(d.shape) : [];
}

/** One line per problem: `stages[1].lr: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError, schema: z.ZodType, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      return issue.keys
        .map((key) => {
          const guess = didYouMean(key, known);
          return `${path}: unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''} Valid keys: ${known.join(', ')}.`;
        })
        .join('\n');
    }
    if (issue.code === 'invalid_union') {
      const values = issue.errors.flat().find((i) => i.code === 'invalid_value');
      if (values && values.code === 'invalid_value') {
        return `${path}: expected one of ${values.values.map((v) => JSON.stringify(v)).join(', ')} or an object with options.`;
      }
    }
    if (issue.code === 'invalid_value') {
      return `${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    }
    return `${path}: ${issue.message}.`;
  });
}

/** A `GRAFT_CONFIG_INVALID` error listing every problem a zod parse found. */
export function invalidConfig(error: z.ZodError, schema: z.ZodType, file: string, prefix: readonly PropertyKey[] = []): GraftError {
  const lines = describeIssues(error, schema, prefix);
  return new GraftError('GRAFT_CONFIG_INVALID', {
    what: `Invalid config in ${file}:\n  ${lines.join('\n  ')}\n`,
    fix: 'Fix the values above; `graft schema` prints every key with its type and default',
  });
}
