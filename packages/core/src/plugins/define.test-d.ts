import { z } from 'zod';
import { describe, expectTypeOf, it } from 'vitest';
import { definePlugin, type GraftPlugin, type PluginList } from './define.js';
import type { Strategy } from '../strategy.js';

describe('definePlugin', () => {
  it('returns the plugin with its literal types, and accepts only plugin-shaped objects', () => {
    const plugin = definePlugin({ meta: { name: 'p', version: '1.0.0', graft: '^0.1.0' }, strategies: [] });
    expectTypeOf(plugin).toMatchTypeOf<GraftPlugin>();
    expectTypeOf(plugin.meta.name).toEqualTypeOf<'p'>();
    // @ts-expect-error meta is required
    definePlugin({ strategies: [] });
  });

  it('lets plugin lists hold falsy entries (cond && plugin)', () => {
    const maybe = false as boolean;
    const list: PluginList = [maybe && definePlugin({ meta: { name: 'x', version: '1.0.0', graft: '^0.1.0' } }), undefined, null];
    expectTypeOf(list).toMatchTypeOf<PluginList>();
  });

  it('types a strategy’s options from its zod schema', () => {
    const options = z.strictObject({ every: z.number().default(1) });
    const s: Strategy<z.output<typeof options>> = { name: 's', description: 'd', options, setup: (stage) => expectTypeOf(stage.options.every).toEqualTypeOf<number>() };
    expectTypeOf(s.options).toMatchTypeOf<z.ZodType<{ every: number }>>();
  });
});
