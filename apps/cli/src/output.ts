import type { TaskMetrics } from '@graft/core';

/** Metrics as a compact table for people (the confusion matrix is left to --json). */
export function metricsTable(metrics: TaskMetrics): string {
  const rows = Object.entries(metrics).flatMap(([task, m]) =>
    Object.entries(m)
      .filter(([, v]) => typeof v === 'number')
      .map(([name, v]) => [task, name, (v as number).toFixed(4)]),
  );
  return table(['task', 'metric', 'value'], rows);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Print one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
