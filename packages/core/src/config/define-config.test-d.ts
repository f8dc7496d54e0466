import { describe, expectTypeOf, it } from 'vitest';
import { defineConfig, type GraftConfig } from './define-config.js';

describe('defineConfig', () => {
  it('types the top level, tasks and common stage and data options, and leaves plugin options open', () => {
    const config = defineConfig({
      backend: 'cpu',
      source: { use: 'vision/mobilenet-v1', alpha: 0.25 },
      tasks: [{ name: 'digits', data: { use: 'vision/digits', perClass: 10 } }],
      stages: [{ use: 'fine-tune', epochs: 2, lr: 1e-3, discriminative: { factor: 2.6 } }],
    });
    expectTypeOf(config).toExtend<GraftConfig>();
    expectTypeOf(config.stages[0].lr).toEqualTypeOf<0.001>();
  });

  it('refuses a common option of the wrong type and a missing required key', () => {
    // @ts-expect-error lr is a number
    defineConfig({ source: { use: 's' }, tasks: [{ name: 't', data: { use: 'd' } }], stages: [{ use: 'fine-tune', lr: 'fast' }] });
    // @ts-expect-error perClass is a number
    defineConfig({ source: { use: 's' }, tasks: [{ name: 't', data: { use: 'd', perClass: 'ten' } }], stages: [{ use: 'fine-tune' }] });
    // @ts-expect-error stages are required
    defineConfig({ source: { use: 's' }, tasks: [{ name: 't', data: { use: 'd' } }] });
  });
});
