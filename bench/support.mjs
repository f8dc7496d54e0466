// What the benchmarks under bench/ share: worker processes that print one JSON result, the PyTorch peer,
// medians, the printed table and the --json file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Debian's own python3, which has python3-torch (the python3 first on PATH may not). */
const PYTHON = '/usr/bin/python3';

export function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs a command whose result is the last line of stdout starting with `{`: `{ value }` with it parsed, or
 * `{ error }` with the last lines it printed (stack frames left out).
 */
export function runJson(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  const line = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status === 0 && line) return { value: JSON.parse(line) };
  const lines = (r.stderr || r.stdout || '').trim().split('\n').filter((l) => !/^\s+at /.test(l));
  return { error: lines.slice(-3).join(' | ') };
}

/** Runs a PyTorch twin script on one thread; its result, or undefined (with the reason printed) when torch is missing or it fails. */
export function runPytorch(script, args) {
  if (spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    console.log(`skip pytorch: ${PYTHON} cannot import torch (apt-get install -y python3-torch)`);
    return undefined;
  }
  console.log('running pytorch (1 thread) …');
  const { value, error } = runJson(PYTHON, [script, ...args]);
  if (error !== undefined) console.log(`  pytorch failed: ${error}`);
  return value;
}

/** Prints rows (the first is the header) as left-aligned columns. */
export function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

/** Writes the raw results for `--json`, through a temporary file so a half-written one is never left. */
export function writeResults(file, runs, loadavg) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, loadavg, runs }, null, 2));
  fs.renameSync(tmp, file);
}

/** User plus system CPU time of this process, in ms (the machine is shared: CPU time beside wall time). */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
