import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { textPlugin } from './plugin.js';

describe('text plugin options', () => {
  it('every option of every text source and dataset has a description for `graft schema`', () => {
    const items = [...(textPlugin.sources ?? []), ...(textPlugin.datasets ?? [])];
    expect(items.length).toBe(5);
    const missing: string[] = [];
    for (const item of items) {
      const schema = z.toJSONSchema(item.options as z.ZodType, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }> };
      expect(Object.keys(schema.properties ?? {}).length, item.name).toBeGreaterThan(0);
      for (const [key, prop] of Object.entries(schema.properties ?? {})) if (!prop.description) missing.push(`${item.name}.${key}`);
    }
    expect(missing).toEqual([]);
  });
});
