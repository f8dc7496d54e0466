import { join } from 'node:path';
import type { Command } from 'commander';
import { GraftError, readConfigFile, type ConfigFile } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson } from '../output.js';
import { writeJsonAtomic } from '../files.js';
import { multitaskTable, resultsTable, writeMultitaskReport, writeReport } from '../report.js';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new GraftError('GRAFT_USAGE', { what: `"${s}" is not a positive whole number`, where: flag });
  return n;
}

interface CompareFlags {
  config: string;
  strategies?: string;
  sources?: string;
  seeds?: string;
  folds?: string;
  perClass?: string;
  multitask?: boolean;
  weightings?: string;
  sequential?: boolean;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** Progress on stderr: how each run ended (backend and time, or its error). */
function done(r: { id: string; backend?: string; seconds: number; error?: string; reused: boolean; index: number; total: number }): void {
  const head = `[${r.index + 1}/${r.total}] ${r.id}`;
  if (r.reused) process.stderr.write(`${head} · reused (--resume)\n`);
  else if (r.error) process.stderr.write(`${head} · FAILED after ${r.seconds.toFixed(1)}s: ${r.error.split('\n')[0]}\n`);
  else process.stderr.write(`${head} · backend ${r.backend} · ${r.seconds.toFixed(1)}s\n`);
}

async function multitask(file: ConfigFile, opts: CompareFlags): Promise<void> {
  const perClass = opts.perClass ? list(opts.perClass).map((s) => positiveInt(s, '--per-class')) : undefined;
  if (perClass && perClass.length > 1) throw new GraftError('GRAFT_USAGE', { what: '--multitask takes one --per-class value', where: '--per-class' });
  const { dir, rows } = await cliRuntime().compareMultitask(file, {
    weightings: opts.weightings ? list(opts.weightings) : undefined,
    seeds: opts.seeds ? positiveInt(opts.seeds, '--seeds') : undefined,
    sequential: opts.sequential,
    perClass: perClass?.[0],
    dir: opts.out,
    resume: opts.resume,
    onDone: done,
  });
  writeJsonAtomic(join(dir, 'results-multitask.json'), { rows });
  await writeMultitaskReport(join(dir, 'report-multitask.html'), `Graft multi-task comparison: ${file.structure.name ?? 'run'}`, rows, file.raw);
  if (opts.json) printJson({ rows });
  else process.stdout.write(`\n${multitaskTable(rows)}\n\nWrote ${join(dir, 'results-multitask.json')} and ${join(dir, 'report-multitask.html')}\n`);
}

export function compareCommand(program: Command): void {
  program
    .command('compare')
    .description('Run several strategies on identical splits and seeds; print mean ± std, write results.json and report.html.')
    .requiredOption('-c, --config <file>', 'YAML or JSON config (its first stage gives the presets their lr, epochs, batch size, ...)')
    .option('--strategies <list>', 'comma-separated strategy names, presets (see `graft plugins`), the config’s presets, or `config`')
    .option('--sources <list>', 'compare on each of these sources: names under compare.sources, `config`, or registered sources')
    .option('--seeds <n>', 'seeds per entry (default: compare.seeds, 3)')
    .option('--folds <k>', 'K-fold cross-validation on the training data (metrics on the held-out folds; not with early stopping)')
    .option('--per-class <list>', 'labelled samples per class to compare at, e.g. 10,100')
    .option('--multitask', 'compare single-task models, joint training per weighting, and (with --sequential) sequential transfer; reports Δm%')
    .option('--weightings <list>', 'with --multitask: weightings to run jointly (default: compare.weightings)')
    .option('--sequential', 'with --multitask: also train task 1, then transfer its trunk to task 2, ...')
    .option('--out <dir>', 'where results, report and runs go (default: the run’s output directory)')
    .option('--resume', 'reuse the results of runs a previous comparison finished (same config); rerun the rest')
    .option('--json', 'print { results } as JSON on stdout')
    .action(async (opts: CompareFlags) => {
      const file = readConfigFile(opts.config);
      if (opts.multitask) return multitask(file, opts);
      const { dir, results } = await cliRuntime().compare(file, {
        entries: opts.strategies ? list(opts.strategies) : undefined,
        sources: opts.sources ? list(opts.sources) : undefined,
        seeds: opts.seeds ? positiveInt(opts.seeds, '--seeds') : undefined,
        folds: opts.folds ? positiveInt(opts.folds, '--folds') : undefined,
        perClass: opts.perClass ? list(opts.perClass).map((s) => positiveInt(s, '--per-class')) : undefined,
        dir: opts.out,
        resume: opts.resume,
        onDone: done,
      });
      writeJsonAtomic(join(dir, 'results.json'), { results });
      await writeReport(join(dir, 'report.html'), `Graft comparison: ${file.structure.name ?? 'run'}`, results, file.raw);
      if (opts.json) {
        printJson({ results: results.map(({ runs, ...r }) => ({ ...r, runs: runs.map(({ history: _h, ...run }) => run) })) });
      } else {
        process.stdout.write(`\n${resultsTable(results)}\n\nWrote ${join(dir, 'results.json')} and ${join(dir, 'report.html')}\n`);
      }
    });
}
