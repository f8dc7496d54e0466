import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { compareStrategies, GraftError, readConfigFile } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson } from '../output.js';
import { resultsTable, writeReport } from '../report.js';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const positiveInts = (v: string) =>
  list(v).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new GraftError('GRAFT_USAGE', { what: `"${s}" is not a positive integer`, where: '--per-class' });
    return n;
  });

export function compareCommand(program: Command): void {
  program
    .command('compare')
    .description('Run several strategies on identical splits and seeds; print mean ± std, write results.json and report.html.')
    .requiredOption('-c, --config <file>', 'YAML or JSON config (its first stage gives the presets their lr, epochs, batch size, ...)')
    .option('--strategies <list>', 'comma-separated strategy names, presets (last, full, full+discr, gradual, gradual+discr+stlr, lp-ft), config presets, or `config`')
    .option('--seeds <n>', 'seeds per entry')
    .option('--folds <k>', 'K-fold cross-validation on the training data (metrics on the held-out folds)')
    .option('--per-class <list>', 'labelled samples per class to compare at, e.g. 10,100')
    .option('--out <dir>', 'where results.json and report.html go (default: the run’s output directory)')
    .option('--json', 'print { results } as JSON on stdout')
    .action(async (opts: { config: string; strategies?: string; seeds?: string; folds?: string; perClass?: string; out?: string; json?: boolean }) => {
      const file = readConfigFile(opts.config);
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
      const name = file.structure.name ?? 'compare';
      const out = resolve(opts.out ?? join(file.dir, file.structure.output.dir ?? `runs/${name}`));
      mkdirSync(out, { recursive: true });
      const json = { results };
      writeFileSync(join(out, 'results.json.tmp'), JSON.stringify(json, null, 2));
      renameSync(join(out, 'results.json.tmp'), join(out, 'results.json'));
      await writeReport(join(out, 'report.html'), `Graft comparison: ${name}`, results, file.raw);
      if (opts.json) {
        printJson({ results: results.map(({ runs, ...r }) => ({ ...r, runs: runs.map(({ history: _h, ...run }) => run) })) });
      } else {
        process.stdout.write(`\n${resultsTable(results)}\n\nWrote ${join(out, 'results.json')} and ${join(out, 'report.html')}\n`);
      }
    });
}
