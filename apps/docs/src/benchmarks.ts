import { cell, code, html, page, table } from './markdown.js';

/** One measured table: the numbers, the command that produced them and what they mean. */
export interface MeasuredTable {
  id: string;
  title: string;
  command: string;
  config: string;
  setup: string;
  unit: string;
  columns: string[];
  rows: string[][];
  meaning: string;
}

/** A JSON file a bench script wrote with `--json` (bench/support.mjs `writeResults`). */
export interface BenchResults {
  file: string;
  date?: string;
  cpus?: number;
  loadavg?: number[];
  runs: unknown[];
}

/** The Markdown of one measured table, with its provenance, for including in any page. */
export function measuredTable(t: MeasuredTable): string {
  return `**${cell(t.title)}** (${cell(t.unit)})

${table(t.columns.map(cell), t.rows.map((r) => r.map((c) => cell(c))))}

<p class="provenance">Produced by <code>${html(t.command)}</code> — ${html(t.setup.replace(/\.$/, ""))}. See <code>${t.config}</code>.</p>

${t.meaning}`;
}

/** A bench's raw JSON as a table: one row per run, one column per scalar field. */
export function benchResultsTable(results: BenchResults): string {
  const runs = results.runs.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r).filter((k) => r[k] === null || typeof r[k] !== 'object')))];
  const show = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v ?? ''));
  return `### ${code(results.file)}

Written ${results.date ?? 'at an unknown date'} on ${results.cpus ?? '?'} CPUs (load ${results.loadavg?.map((l) => l.toFixed(2)).join(', ') ?? '?'}).

${keys.length ? table(keys.map(code), runs.map((r) => keys.map((k) => cell(show(r[k]))))) : '_No scalar fields._'}`;
}

/** The Benchmarks page: the measured tables, then whatever raw results the benches have written. */
export function benchmarksPage(tables: MeasuredTable[], results: BenchResults[]): string {
  const raw = results.length
    ? results.map(benchResultsTable).join('\n\n')
    : 'No bench has written a results file in this checkout. Run one with `--json FILE` under `bench/<name>/` (e.g. `node bench/weightings/run.mjs --json bench/weightings/results.json`) and rebuild the site: it is rendered here.';
  return page(
    'Benchmarks',
    `Every number on this site comes from one of the runs below; each table names the command that produced it and the
setup it ran on (two CPU cores shared with other work unless said otherwise — treat single runs as ±10 %).

${tables.map((t) => `## ${cell(t.title)} {#${t.id}}\n\n${measuredTable(t)}`).join('\n\n')}

## Raw bench results {#raw}

${raw}`,
    'apps/docs/data/measured.json and bench/**/results*.json',
  );
}
