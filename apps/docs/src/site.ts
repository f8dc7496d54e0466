import { z } from 'zod';
import type { Command } from 'commander';
import { commonStageSchema, type Registry } from '@graft/core';

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

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function optionsTable(rows: OptionRow[]): string {
  if (rows.length === 0) return '<p><em>No options of its own.</em></p>';
  return `<table><tr><th>key</th><th>type</th><th>default</th><th>description</th></tr>${rows
    .map((r) => `<tr><td><code>${escape(r.key)}</code></td><td><code>${escape(r.type)}</code></td><td>${r.default ? `<code>${escape(r.default)}</code>` : ''}</td><td>${escape(r.description)}</td></tr>`)
    .join('')}</table>`;
}

type Item = { name: string; description: string; reference?: string; options?: z.ZodType };

function section(title: string, id: string, items: Iterable<Item>, owners: ReadonlyMap<string, string>, kind: string): string {
  const list = [...items].sort((a, b) => a.name.localeCompare(b.name));
  return `<h2 id="${id}">${title}</h2>${list
    .map(
      (item) => `<h3 id="${id}-${item.name.replace(/[^a-z0-9]+/gi, '-')}"><code>${escape(item.name)}</code></h3>
<p>${escape(item.description)}${item.reference ? ` <em>${escape(item.reference)}</em>` : ''}</p>
<p class="owner">from <code>${escape(owners.get(`${kind}:${item.name}`) ?? '?')}</code></p>
${item.options ? optionsTable(optionRows(item.options)) : ''}`,
    )
    .join('\n')}`;
}

/** Help text of every command of the CLI. */
function cliReference(program: Command): string {
  const help = (c: Command) => c.helpInformation();
  return `<h2 id="cli">The <code>graft</code> command</h2><pre>${escape(help(program))}</pre>${program.commands
    .map((c) => `<h3 id="cli-${c.name()}"><code>graft ${c.name()}</code></h3><pre>${escape(help(c))}</pre>`)
    .join('\n')}`;
}

/** The whole reference as one self-contained HTML page. */
export function renderSite(registry: Registry, program: Command): string {
  const nav = [
    ['stages', 'Stage options'],
    ['strategies', 'Strategies'],
    ['sources', 'Sources'],
    ['datasets', 'Datasets'],
    ['tasks', 'Task types'],
    ['weightings', 'Weightings'],
    ['backends', 'Backends'],
    ['cli', 'CLI'],
  ];
  const backends = [...registry.backends.values()].map((b) => ({ name: b.name, description: `${b.description} (priority ${b.priority})` }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Graft reference</title>
<style>body{font:15px/1.55 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}pre{background:#f6f6f6;padding:1em;overflow:auto}code{font-size:90%}.owner{color:#777;font-size:90%;margin-top:-.6em}nav a{margin-right:1em}</style>
</head><body>
<h1>Graft reference</h1>
<p>Transfer learning and multi-task learning for TypeScript. This page is generated from the plugins Graft loads
(${registry.plugins.map((p) => `<code>${escape(p.name)}@${escape(p.version)}</code>`).join(', ')}) and from the CLI itself, so it always matches the code.
A config names a <code>backend</code>, a <code>source</code>, its <code>tasks</code> and an ordered list of <code>stages</code>; <code>graft schema</code> prints the same information as JSON Schema.</p>
<nav>${nav.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
<h2 id="stages">Stage options</h2><p>Every stage accepts these, whatever its strategy.</p>${optionsTable(optionRows(commonStageSchema).filter((r) => !r.key.startsWith('use')))}
${section('Strategies', 'strategies', registry.strategies.values(), registry.owners, 'strategies')}
${section('Sources', 'sources', registry.sources.values(), registry.owners, 'sources')}
${section('Datasets', 'datasets', registry.datasets.values(), registry.owners, 'datasets')}
${section('Task types', 'tasks', registry.tasks.values(), registry.owners, 'tasks')}
${section('Weightings', 'weightings', registry.weightings.values(), registry.owners, 'weightings')}
${section('Backends', 'backends', backends, registry.owners, 'backends')}
${cliReference(program)}
</body></html>
`;
}
