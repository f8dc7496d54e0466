import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GraftError, readConfigFile, runSearch, type TrialRecord } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson } from '../output.js';
import { queueExecutor, startWorker } from '../search/queue.js';
import { finalSummary, trialsTable, writeSearchReport } from '../search/report.js';

interface SearchFlags {
  config: string;
  resume?: boolean;
  fresh?: boolean;
  queue?: string;
  attempts?: string;
  json?: boolean;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new GraftError('GRAFT_USAGE', { what: `${flag} must be a positive integer, got "${value}"`, where: flag });
  return n;
}

function progressLine(trial: TrialRecord, done: number, total: number): string {
  const score = trial.state === 'failed' ? `failed: ${(trial.error ?? '').split('\n')[0]}` : `${trial.state}, ${trial.mean.toFixed(4)} ± ${trial.std.toFixed(4)} over ${trial.folds.length} folds`;
  return `[${done}/${total}] trial ${trial.number} (${trial.worker}): ${score}\n`;
}

export function searchCommand(program: Command): void {
  program
    .command('search')
    .description('Search hyper-parameters by stratified k-fold cross-validation on the training split (the `search` block), then retrain the best and evaluate it once.')
    .requiredOption('-c, --config <file>', 'YAML or JSON config with a `search` block')
    .option('--resume', 'continue the study in the search folder without repeating finished trials')
    .option('--fresh', 'discard the study in the search folder and start a new one')
    .option('--queue <url>', 'put trials on a BullMQ queue at this Redis URL (redis://HOST:PORT) for `graft worker`s to run')
    .option('--attempts <n>', 'with --queue: deliveries of a trial before it is dead-lettered (default 3)')
    .option('--json', 'print { best, final, trials } as JSON on stdout')
    .action(async (opts: SearchFlags) => {
      if (opts.resume && opts.fresh) throw new GraftError('GRAFT_USAGE', { what: '--resume and --fresh exclude each other', fix: 'Pass one of them' });
      const file = readConfigFile(opts.config);
      const runtime = cliRuntime();
      const executor = opts.queue ? await queueExecutor(opts.queue, resolve(file.file), { attempts: positiveInt(opts.attempts, '--attempts') }) : undefined;
      try {
        const result = await runSearch(runtime, file, {
          resume: opts.resume,
          fresh: opts.fresh,
          executor,
          onTrial: (t, done, total) => process.stderr.write(progressLine(t, done, total)),
          onFinal: () => process.stderr.write('Retraining the best configuration on the whole training split…\n'),
        });
        await writeSearchReport(`${result.dir}/report.html`, result, file.raw);
        if (opts.json) {
          printJson({ metric: result.metric, direction: result.direction, best: result.best, final: result.final, trials: result.trials, dir: result.dir });
        } else {
          const failed = result.trials.filter((t) => t.state === 'failed');
          process.stdout.write(`\n${trialsTable(result.trials, result.metric)}\n\n${finalSummary(result)}\n`);
          if (failed.length > 0) process.stdout.write(`${failed.length} trial${failed.length > 1 ? 's' : ''} failed (see study.jsonl): ${failed.map((t) => t.number).join(', ')}\n`);
          process.stdout.write(`\nWrote ${result.dir}/study.jsonl, best.yaml, results.json and report.html\n`);
        }
      } finally {
        await executor?.close();
      }
    });
}

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run `graft search` trials from a BullMQ queue until stopped (SIGINT/SIGTERM). Every worker needs the same config and data: a shared path, or -c with an identical copy.')
    .requiredOption('--queue <url>', 'Redis URL of the queue (redis://HOST:PORT)')
    .option('-c, --config <file>', 'use this copy of the config instead of the path in each trial (it must hash the same)')
    .option('--concurrency <n>', 'trials at once (default 1)')
    .option('--lock-seconds <n>', 'a trial whose worker stops answering is retried after this many seconds (default 30)')
    .action(async (opts: { queue: string; config?: string; concurrency?: string; lockSeconds?: string }) => {
      const worker = await startWorker(opts.queue, {
        config: opts.config,
        concurrency: positiveInt(opts.concurrency, '--concurrency'),
        lockSeconds: positiveInt(opts.lockSeconds, '--lock-seconds'),
      });
      process.stderr.write(`graft worker: waiting for trials on ${opts.queue} (Ctrl-C to stop)\n`);
      const stop = () => void worker.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await worker.closed;
    });
}
