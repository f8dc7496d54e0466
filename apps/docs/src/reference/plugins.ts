import type { z } from 'zod';
import { commonStageSchema, type Registry } from '@graft/core';
import { optionRows, type OptionRow } from '../options.js';
import { cell, code, page, slug, table } from '../markdown.js';

/** What a registered item exposes that the reference shows; every kind has at least a name. */
interface Item {
  name: string;
  description?: string;
  reference?: string;
  options?: z.ZodType;
  priority?: number;
}

/** Titles and intros of the kinds Graft knows today; a kind a later Graft adds gets a page all the same. */
const KINDS: Record<string, { title: string; intro: string }> = {
  strategies: { title: 'Strategies', intro: 'How pretrained parameters become yours: one stage of training. A config lists stages under `stages:`, each with `use: <strategy>`, the common stage options and the strategy\'s own.' },
  sources: { title: 'Sources', intro: 'Where the pretrained parameters come from: `source: { use: <name>, ... }`. A source loads a trunk and its ordered layer groups.' },
  datasets: { title: 'Datasets', intro: 'Where a task\'s examples come from: `tasks[].data: { use: <name>, ... }`.' },
  tasks: { title: 'Task types', intro: 'What a task learns (its head, loss and metrics): `tasks[].type`.' },
  weightings: { title: 'Weightings', intro: 'How a multi-task stage combines the task losses or gradients: `weighting: { use: <name>, ... }` in a stage.' },
  backends: { title: 'Backends', intro: 'Where the math runs: `backend: <name>` or `auto` (the highest-priority backend that runs here and can train the run). `graft backends` says which run on this machine.' },
};

/** The registry's item kinds: every map in it except the owner index. */
export function registryKinds(registry: Registry): string[] {
  return Object.entries(registry)
    .filter(([key, value]) => value instanceof Map && key !== 'owners')
    .map(([key]) => key);
}

function kindMap(registry: Registry, kind: string): ReadonlyMap<string, Item> {
  return (registry as unknown as Record<string, ReadonlyMap<string, Item>>)[kind] ?? new Map();
}

export function kindTitle(kind: string): string {
  return KINDS[kind]?.title ?? kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** The anchor of one item on its kind's page. */
export function itemAnchor(name: string): string {
  return slug(name);
}

export function optionsTable(rows: OptionRow[]): string {
  if (rows.length === 0) return '_No options of its own._';
  return table(
    ['key', 'type', 'default', 'description'],
    rows.map((r) => [code(r.key), code(r.type), r.default ? code(r.default) : '', cell(r.description)]),
  );
}

/** One page per kind: every item with its description, paper, owning plugin and options. */
export function kindPage(registry: Registry, kind: string): string {
  const items = [...kindMap(registry, kind).values()].sort((a, b) => a.name.localeCompare(b.name));
  const body = items
    .map((item) => {
      const owner = registry.owners.get(`${kind}:${item.name}`) ?? 'unknown';
      const lines = [`## \`${item.name}\` {#${itemAnchor(item.name)}}`, ''];
      if (item.description) lines.push(cell(item.description) + (item.priority !== undefined ? ` (priority ${item.priority})` : ''), '');
      if (item.reference) lines.push(`Reference: _${cell(item.reference)}_`, '');
      lines.push(`From \`${owner}\`.`, '');
      if (item.options) lines.push(optionsTable(optionRows(item.options)), '');
      return lines.join('\n');
    })
    .join('\n');
  return page(kindTitle(kind), `${KINDS[kind]?.intro ?? ''}\n\n${body}`, 'the live plugin registry');
}

/** The options every stage accepts, whatever its strategy. */
export function stageOptionsPage(): string {
  const rows = optionRows(commonStageSchema).filter((r) => !r.key.startsWith('use'));
  return page('Stage options', `Every stage accepts these, whatever its strategy; the strategy pages list each one's own.\n\n${optionsTable(rows)}`, 'the config schema');
}

/** The index of the reference: the loaded plugins and a link to every item. */
export function pluginIndexPage(registry: Registry): string {
  const plugins = table(
    ['plugin', 'version'],
    registry.plugins.map((p) => [code(p.name), code(String(p.version))]),
  );
  const kinds = registryKinds(registry)
    .map((kind) => {
      const names = [...kindMap(registry, kind).keys()].sort();
      return `## ${kindTitle(kind)}\n\n${names.map((n) => `[\`${n}\`](./${kind}#${itemAnchor(n)})`).join(' · ') || '_none_'}`;
    })
    .join('\n\n');
  return page(
    'Reference',
    `Generated from the plugins the \`graft\` command loads and from the CLI itself, so it matches the code it was built from.

- [Stage options](./stage-options) · [Config JSON Schema](./config-schema) · [CLI](./cli) · [Error codes](./errors)

Loaded plugins:

${plugins}

${kinds}`,
    'the live plugin registry',
  );
}
