import { renameSync, writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { stringify } from 'yaml';
import type { CompareResult, MultitaskRow } from '@graft/core';
import { table } from './output.js';

/** A spec rendered to SVG in Node by Vega (no browser, no canvas). */
export async function svg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const out = await view.toSVG();
  view.finalize();
  return out;
}

/** Bars of `mean` with a ±std rule, one bar per `x` value, one panel per `column` value. */
function errorBarSpec(values: { x: string; column: string; mean: number; std: number }[], yTitle: string, independentY = false): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: values.map((v) => ({ ...v, low: v.mean - v.std, high: v.mean + v.std })) },
    facet: { column: { field: 'column', type: 'nominal', title: null } },
    ...(independentY ? { resolve: { scale: { y: 'independent' } } } : {}),
    spec: {
      width: 240,
      height: 210,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'x', type: 'nominal', title: null }, y: { field: 'mean', type: 'quantitative', title: yTitle }, color: { field: 'x', legend: null } } },
        { mark: 'rule', encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      ],
    },
  };
}

/** A panel label, prefixed by the row's source when the comparison has several (rows group by source). */
const withSource = (r: CompareResult, label: string) => (r.source ? `${r.source} · ${label}` : label);

/** Mean ± std of the compared metric, per entry, one panel per source and few-shot size. */
function barSpec(results: readonly CompareResult[]): vl.TopLevelSpec {
  const values = results.map((r) => ({ x: r.strategy, column: withSource(r, r.perClass ? `${r.perClass} labelled/class` : 'all data'), mean: r.mean, std: r.std }));
  return errorBarSpec(values, `${results[0]?.metric ?? 'metric'} (mean ± std)`);
}

/** Training loss per epoch (epochs of all stages in a row), mean over runs, one line per entry. */
function curveSpec(results: readonly CompareResult[]): vl.TopLevelSpec {
  const values = results.flatMap((r) => {
    const byEpoch = new Map<number, number[]>();
    for (const run of r.runs) run.history.forEach((h, i) => byEpoch.set(i + 1, [...(byEpoch.get(i + 1) ?? []), h.loss]));
    return [...byEpoch].map(([epoch, losses]) => ({ strategy: r.strategy, perClass: withSource(r, r.perClass ? `${r.perClass}/class` : 'all'), epoch, loss: losses.reduce((a, b) => a + b, 0) / losses.length }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { column: { field: 'perClass', type: 'nominal', title: 'labelled samples' } },
    spec: {
      width: 260,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch (all stages)' }, y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { type: 'log' } }, color: { field: 'strategy', type: 'nominal' } },
    },
  };
}

/** One point of a sample-efficiency curve: an entry's error at a number of labelled samples per class. */
export interface EfficiencyPoint {
  strategy: string;
  perClass: number;
  /** Test error (1 − accuracy or 1 − macro-F1), or the metric itself when lower is better. */
  error: number;
  std: number;
}

/**
 * The points of a sample-efficiency curve, when the comparison ran at two or more few-shot sizes: test error
 * against labelled samples per class, one line per entry (the form of ULMFiT's Figure 3, Howard & Ruder 2018).
 * Undefined otherwise, or when the metric has no error form (a higher-is-better metric other than a rate).
 */
export function sampleEfficiency(results: readonly CompareResult[]): { points: EfficiencyPoint[]; yTitle: string } | undefined {
  const sized = results.filter((r): r is CompareResult & { perClass: number } => r.perClass !== undefined);
  if (new Set(sized.map((r) => r.perClass)).size < 2) return undefined;
  const first = sized[0]!;
  const rate = first.metric === 'accuracy' || first.metric === 'macroF1';
  if (first.higherIsBetter && !rate) return undefined;
  const points = sized.map((r) => ({ strategy: r.strategy, perClass: r.perClass, error: first.higherIsBetter ? 1 - r.mean : r.mean, std: r.std }));
  return { points, yTitle: first.higherIsBetter ? `test error (1 − ${first.metric})` : `test ${first.metric}` };
}

/** The sample-efficiency curve of `results` as an SVG document, or undefined when there is no curve to draw. */
export async function sampleEfficiencySvg(results: readonly CompareResult[]): Promise<string | undefined> {
  const curve = sampleEfficiency(results);
  return curve ? svg(efficiencySpec(curve)) : undefined;
}

/** Error against labelled samples per class on a log axis, a line per entry with its ±std band. */
function efficiencySpec(curve: { points: EfficiencyPoint[]; yTitle: string }): vl.TopLevelSpec {
  const x = { field: 'perClass', type: 'quantitative' as const, title: 'labelled samples per class', scale: { type: 'log' as const, nice: false } };
  const color = { field: 'strategy', type: 'nominal' as const, legend: { title: null, labelLimit: 400 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: curve.points.map((p) => ({ ...p, low: p.error - p.std, high: p.error + p.std })) },
    width: 420,
    height: 260,
    layer: [
      { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'error', type: 'quantitative', title: curve.yTitle }, color } },
    ],
  };
}

export function resultsTable(results: readonly CompareResult[]): string {
  const pct = (v: number) => (results[0]?.metric === 'accuracy' || results[0]?.metric === 'macroF1' ? (100 * v).toFixed(1) : v.toFixed(4));
  const bySource = results.some((r) => r.source !== undefined);
  return table(
    [...(bySource ? ['source'] : []), 'strategy', 'per class', `${results[0]?.task ?? ''} ${results[0]?.metric ?? ''}`.trim(), 'runs', 'failed', 'wall time'],
    results.map((r) => [
      ...(bySource ? [r.source ?? ''] : []),
      r.strategy,
      r.perClass ? String(r.perClass) : 'all',
      `${pct(r.mean)} ± ${pct(r.std)}`,
      String(r.runs.length - r.failed),
      String(r.failed),
      `${r.seconds.toFixed(1)}s`,
    ]),
  );
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A self-contained HTML page: title, an introduction, named sections (HTML), and the config; written atomically. */
export function writePage(path: string, title: string, intro: string, sections: [string, string][], config: unknown): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}h2{margin-top:2em}</style>
</head><body>
<h1>${escape(title)}</h1>
<p>${intro}</p>
${sections.map(([heading, body]) => `<h2>${escape(heading)}</h2>\n${body}`).join('\n')}
<h2>Config</h2>
<pre>${escape(stringify(config))}</pre>
</body></html>
`;
  writeFileSync(`${path}.tmp`, html);
  renameSync(`${path}.tmp`, path);
}

/** A self-contained HTML report: the table, the charts as inline SVG, and the config. */
export async function writeReport(path: string, title: string, results: readonly CompareResult[], config: unknown, extra = ''): Promise<void> {
  const [bars, curves] = await Promise.all([svg(barSpec(results)), svg(curveSpec(results))]);
  const efficiency = sampleEfficiency(results);
  const efficiencySection: [string, string][] = efficiency ? [['Sample efficiency', await svg(efficiencySpec(efficiency))]] : [];
  const folds = results[0]?.runs[0]?.fold !== undefined ? ' × folds' : '';
  writePage(
    path,
    title,
    `Generated by <code>graft compare</code> on ${new Date().toISOString()}. Mean ± sample standard deviation over runs (seeds${folds}).`,
    [
      ['Results', `<pre>${escape(resultsTable(results))}</pre>${extra}`],
      ['Final metric', bars],
      ...efficiencySection,
      ['Learning curves', curves],
    ],
    config,
  );
}

/** Rows of `graft compare --multitask` as a table: one column per task, then Δm%. */
export function multitaskTable(rows: readonly MultitaskRow[]): string {
  const tasks = Object.keys(rows[0]?.tasks ?? {});
  const fmt = (s: MultitaskRow['tasks'][string]) => (s.metric === 'accuracy' || s.metric === 'macroF1' ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}` : `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`);
  return table(
    ['method', ...tasks.map((t) => `${t} ${rows[0]!.tasks[t]!.metric}${rows[0]!.tasks[t]!.higherIsBetter ? ' ↑' : ' ↓'}`), 'Δm% ↑', 'failed', 'wall time'],
    rows.map((r) => [
      r.method,
      ...tasks.map((t) => (r.tasks[t] ? fmt(r.tasks[t]!) : '—')),
      r.method === 'single-task' ? '0 (baseline)' : r.deltaM.toFixed(2),
      String(r.failed),
      `${r.seconds.toFixed(1)}s`,
    ]),
  );
}

/** A self-contained HTML report of a multi-task comparison. */
export async function writeMultitaskReport(path: string, title: string, rows: readonly MultitaskRow[], config: unknown): Promise<void> {
  const perTask = await svg(
    errorBarSpec(
      rows.flatMap((r) => Object.entries(r.tasks).map(([task, t]) => ({ x: r.method, column: `${task} (${t.metric}${t.higherIsBetter ? ' ↑' : ' ↓'})`, mean: t.mean, std: t.std }))),
      'mean ± std',
      true,
    ),
  );
  const delta = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows.map((r) => ({ method: r.method, deltaM: r.deltaM })) },
    width: 360,
    height: 200,
    mark: 'bar',
    encoding: { x: { field: 'method', type: 'nominal', title: null }, y: { field: 'deltaM', type: 'quantitative', title: 'Δm% vs single-task (higher is better)' }, color: { field: 'method', legend: null } },
  });
  writePage(
    path,
    title,
    `Generated by <code>graft compare --multitask</code> on ${new Date().toISOString()}. Mean ± sample standard deviation over seeds. Δm% is the mean relative change of each task's metric against its single-task model (Maninis et al. 2019), signed so that positive is better.`,
    [
      ['Results', `<pre>${escape(multitaskTable(rows))}</pre>`],
      ['Per task', perTask],
      ['Δm%', delta],
    ],
    config,
  );
}
