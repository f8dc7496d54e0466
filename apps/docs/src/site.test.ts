import { describe, expect, it } from 'vitest';
import { createRuntime } from '@graft/core';
import { buildProgram, firstPartyPlugins } from '@graft/cli';
import { optionRows, renderSite } from './site.js';
import { gradualUnfreeze } from '@graft/strategies';

describe('the reference site', () => {
  const registry = createRuntime({ plugins: firstPartyPlugins }).registry;
  const html = renderSite(registry, buildProgram());

  it('documents every registered strategy, source, dataset, weighting and backend', () => {
    for (const kind of ['strategies', 'sources', 'datasets', 'weightings', 'backends'] as const) {
      for (const name of registry[kind].keys()) expect(html, `${kind}: ${name}`).toContain(`<code>${name}</code>`);
    }
  });

  it('lists each option with its type and default, read from the zod schema', () => {
    expect(optionRows(gradualUnfreeze.options)).toEqual([{ key: 'every', type: 'integer', default: '1', description: 'Epochs between thawing one more group.' }]);
    expect(html).toContain('<code>discriminative</code>');
  });

  it('includes the help of every CLI command', () => {
    for (const cmd of ['train', 'compare', 'eval', 'predict', 'plugins', 'backends', 'schema']) expect(html).toContain(`Usage: graft ${cmd}`);
  });
});
