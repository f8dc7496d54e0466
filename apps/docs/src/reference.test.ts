import { describe, expect, it } from 'vitest';
import { ERROR_DOCS, createRuntime } from '@graft/core/internal';
import { buildProgram, firstPartyPlugins } from '@graft/cli';
import { gradualUnfreeze } from '@graft/strategies';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_NAMES, expandApiNames } from './api-names.js';
import type { MeasuredTable } from './benchmarks.js';
import { generatePages } from './generate.js';
import { optionRows } from './options.js';
import { commandAnchor, commands } from './reference/cli.js';
import { errorAnchor } from './reference/errors.js';
import { itemAnchor, registryKinds } from './reference/plugins.js';

const measured = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'data', 'measured.json'), 'utf8')) as { tables: MeasuredTable[] }).tables;

describe('the generated reference', () => {
  const registry = createRuntime({ plugins: firstPartyPlugins }).registry;
  const program = buildProgram();
  const pages = generatePages({ registry, program, measured, benchResults: [] });

  it('has an entry with its own anchor for every registered item of every kind', () => {
    const kinds = registryKinds(registry);
    expect(kinds).toEqual(expect.arrayContaining(['sources', 'strategies', 'backends', 'tasks', 'datasets', 'weightings']));
    for (const kind of kinds) {
      const page = pages.get(`reference/${kind}.md`);
      expect(page, kind).toBeDefined();
      const map = (registry as unknown as Record<string, ReadonlyMap<string, unknown>>)[kind]!;
      for (const name of map.keys()) expect(page, `${kind}: ${name}`).toContain(`## \`${name}\` {#${itemAnchor(name)}}`);
    }
  });

  it('has one entry per error code, with what, when and fix', () => {
    const page = pages.get('reference/errors.md')!;
    for (const [code, doc] of Object.entries(ERROR_DOCS)) {
      expect(page, code).toContain(`## ${code} {#${errorAnchor(code)}}`);
      expect(page).toContain(doc.fix);
    }
  });

  it('lists each option with its type and default, read from the zod schema', () => {
    expect(optionRows(gradualUnfreeze.options)).toEqual([{ key: 'every', type: 'integer', default: '1', description: 'Epochs between thawing one more group.' }]);
    expect(pages.get('reference/stage-options.md')).toContain('`discriminative`');
  });

  it('includes the help of every CLI command', () => {
    const page = pages.get('reference/cli.md')!;
    const names = commands(program).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['graft train', 'graft compare', 'graft eval', 'graft predict', 'graft plugins', 'graft schema']));
    for (const name of names) {
      expect(page).toContain(`{#${commandAnchor(name)}}`);
      expect(page).toContain(`Usage: ${name}`);
    }
  });

  it('renders every measured table with the command that produced it', () => {
    const bench = pages.get('benchmarks.md')!;
    for (const t of measured) {
      expect(t.rows.every((r) => r.length === t.columns.length), t.id).toBe(true);
      expect(pages.get(`_generated/measured/${t.id}.md`)).toContain(t.command.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      expect(bench).toContain(`{#${t.id}}`);
    }
  });
});

describe('API names used in the guides', () => {
  it('are exported by their package today, unless marked pending', async () => {
    const modules: Record<string, Record<string, unknown>> = { '@graft/core': await import('@graft/core'), '@graft/cli': await import('@graft/cli') };
    const runtime = (await import('@graft/cli')).createRuntime() as unknown as Record<string, unknown>;
    const program = buildProgram();
    const packages: Record<string, string> = { 'npm create graft-plugin': join(import.meta.dirname, '..', '..', '..', 'packages', 'create-graft-plugin', 'package.json') };
    for (const [key, entry] of Object.entries(API_NAMES) as [string, { name: string; from: string; pending?: string }][]) {
      if (entry.pending) continue;
      const what = `${key}: ${entry.name} from ${entry.from}`;
      if (entry.from === 'runtime') expect(typeof runtime[entry.name], what).toBe('function');
      else if (entry.from === 'CLI') {
        const [graft, ...path] = entry.name.split(' ');
        expect(graft, what).toBe('graft');
        let command = program;
        for (const part of path) {
          const sub = command.commands.find((c) => c.name() === part);
          expect(sub, what).toBeDefined();
          command = sub!;
        }
      } else if (entry.from in packages) {
        expect((JSON.parse(readFileSync(packages[entry.from]!, 'utf8')) as { name: string }).name, what).toBe(entry.name);
      } else expect(modules[entry.from]?.[entry.name], what).toBeDefined();
    }
  });

  it('refuses an unknown name instead of printing a blank', () => {
    expect(expandApiNames('call %%createRuntime%%()')).toBe('call createRuntime()');
    expect(() => expandApiNames('%%nope%%', 'guide.md')).toThrowErrorMatchingInlineSnapshot(`[Error: guide.md: unknown API name %%nope%%; add it to apps/docs/src/api-names.ts]`);
  });
});
