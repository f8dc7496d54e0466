import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { compareMultitask, compareStrategies, GraftError, readConfigFile } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson } from '../output.js';
import { multitaskTable, resultsTable, writeMultitaskReport, writeReport } from '../report.js';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const positiveInts = (v: string) =>
  list(v).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new GraftError('GRAFT_USAGE', { what: `"${s}" is not a positive integer`, where: '--per-class' });
    return n;
  });

interface CompareFlags {
  config: string;
  strategies?: string;
  seeds?: string;
  folds?: string;
  perClass?: string;
  multitask?: boolean;
  weightings: string;
  sequential?: boolean;
  out?: string;
  json?: boolean;
}

function outputDir(file: ReturnType<typeof readConfigFile>, out: string | undefined): string {
  const name = file.structure.name ?? 'compare';
  const dir = resolve(out ?? join(file.dir, file.structure.output.dir ?? `runs/${name}`));
  mkdirSync(dir, { recursive: true });
  return dir;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
}

async function multitask(file: ReturnType<typeof readConfigFile>, opts: CompareFlags): Promise<void> {
  const perClass = opts.perClass ? positiveInts(opts.perClass) : file.structure.compare?.perClass;
  if (perClass && perClass.length > 1) throw new GraftError('GRAFT_USAGE', { what: '--multitask takes one --per-class value', where: '--per-class' });
  const rows = await compareMultitask(cliRuntime(), file, {
    weightings: list(opts.weightings),
    seeds: opts.seeds ? Number(opts.seeds) : (file.structure.compare?.seeds ?? 3),
    sequential: opts.sequential,
    perClass: perClass?.[0],
    onRun: (r) => process.stderr.write(`[${r.index + 1}/${r.total}] ${r.method} · seed ${r.seed}\n`),
  });
  const out = outputDir(file, opts.out);
  writeJson(join(out, 'results-multitask.json'), { rows });
  await writeMultitaskReport(join(out, 'report-multitask.html'), `Graft multi-task comparison: ${file.structure.name ?? 'run'}`, rows, file.raw);
  if (opts.json) printJson({ rows });
  else process.stdout.write(`\n${multitaskTable(rows)}\n\nWrote ${join(out, 'results-multitask.json')} and ${join(out, 'report-multitask.html')}\n`);
}

export function compareCommand(program: Command): void {
  program
    .command('compare')
    .description('Run several strategies on identical splits and seeds; print mean ± std, write results.json and report.html.')
    .requiredOption('-c, --config <file>', 'YAML or JSON config (its first stage gives the presets their lr, epochs, batch size, ...)')
    .option('--strategies <list>', 'comma-separated strategy names, presets (last, full, full+discr, gradual, gradual+discr+stlr, lp-ft), config presets, or `config`')
    .option('--seeds <n>', 'seeds per entry')
    .option('--folds <k>', 'K-fold cross-validation on the training data (metrics on the held-out folds)')
    .option('--per-class <list>', 'labelled samples per class to compare at, e.g. 10,100')
    .option('--multitask', 'compare single-task models, joint training per weighting, and (with --sequential) sequential transfer; reports Δm%')
    .option('--weightings <list>', 'with --multitask: weightings to run jointly', 'equal,uncertainty,pcgrad')
    .option('--sequential', 'with --multitask: also train task 1, then transfer its trunk to task 2, ...')
    .option('--out <dir>', 'where results.json and report.html go (default: the run’s output directory)')
    .option('--json', 'print { results } as JSON on stdout')
    .action(async (opts: CompareFlags) => {
      const file = readConfigFile(opts.config);
      if (opts.multitask) return multitask(file, opts);
      const settings = file.structure.compare;
      const entries = opts.strategies ? list(opts.strategies) : (settings?.strategies ?? ['scratch', 'linear-probe', 'fine-tune', 'gradual-unfreeze']);
      const seeds = opts.seeds ? Number(opts.seeds) : (settings?.seeds ?? 3);
      const folds = opts.folds ? Number(opts.folds) : settings?.folds;
      const perClass = opts.perClass ? positiveInts(opts.perClass) : settings?.perClass;
      const runtime = cliRuntime();
      const results = await compareStrategies(runtime, file, {
        entries,
        seeds,
        folds,
        perClass,
        onRun: (r) => process.stderr.write(`[${r.index + 1}/${r.total}] ${r.entry}${r.perClass ? ` · ${r.perClass}/class` : ''} · seed ${r.seed}${r.fold !== undefined ? ` · fold ${r.fold}` : ''}\n`),
      });
      const out = outputDir(file, opts.out);
      writeJson(join(out, 'results.json'), { results });
      await writeReport(join(out, 'report.html'), `Graft comparison: ${file.structure.name ?? 'run'}`, results, file.raw);
      if (opts.json) {
        printJson({ results: results.map(({ runs, ...r }) => ({ ...r, runs: runs.map(({ history: _h, ...run }) => run) })) });
      } else {
        process.stdout.write(`\n${resultsTable(results)}\n\nWrote ${join(out, 'results.json')} and ${join(out, 'report.html')}\n`);
      }
    });
}
