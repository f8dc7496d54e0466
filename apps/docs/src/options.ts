import { z } from 'zod';

/** One option of a plugin or of the config: its key, type, default and description. */
export interface OptionRow {
  key: string;
  type: string;
  default?: string;
  description: string;
}

/** The options of a zod object schema, read through its JSON Schema (what editors see too). */
export function optionRows(schema: z.ZodType): OptionRow[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProp>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([key, p]) => ({
    key: json.required?.includes(key) ? `${key} (required)` : key,
    type: typeOf(p),
    default: p.default === undefined ? undefined : JSON.stringify(p.default),
    description: p.description ?? '',
  }));
}

interface JsonProp {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonProp[];
  items?: JsonProp;
  default?: unknown;
  description?: string;
  const?: unknown;
}

function typeOf(p: JsonProp): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  if (p.anyOf) return p.anyOf.map(typeOf).join(' | ');
  if (p.type === 'array') return `${p.items ? typeOf(p.items) : 'any'}[]`;
  return Array.isArray(p.type) ? p.type.join(' | ') : (p.type ?? 'any');
}

