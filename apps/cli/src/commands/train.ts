import type { Command } from 'commander';
import { cliRuntime } from '../context.js';
import { metricsTable, printJson } from '../output.js';
import { progressReporter } from '../progress.js';

export function trainCommand(program: Command): void {
  program
    .command('train')
    .description('Train the model a config describes, stage by stage, writing metrics.jsonl and a checkpoint each epoch.')
    .requiredOption('-c, --config <file>', 'YAML or JSON config file')
    .option('--resume', 'continue from the run’s checkpoint (same config required)')
    .option('--json', 'print { history, final, checkpoint } as one JSON document on stdout')
    .action(async (opts: { config: string; resume?: boolean; json?: boolean }) => {
      const run = await cliRuntime().load(opts.config);
      // SIGINT/SIGTERM: stop at the next step boundary, checkpoint, exit 130 with how to resume (GRAFT_INTERRUPTED).
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const result = await run.train({ resume: opts.resume, callbacks: progressReporter(), stop: stop.signal }).finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      if (opts.json) {
        printJson({
          history: result.history.map((h) => ({ stage: h.stage, stageName: h.stageName, epoch: h.epoch, loss: h.loss, taskLosses: h.taskLosses, metrics: h.metrics })),
          final: result.final,
          checkpoint: result.checkpoint ?? null,
          backend: result.backend,
        });
      } else {
        process.stdout.write(`\nFinal metrics (${result.final.split} split, backend ${result.backend}):\n${metricsTable(result.final.metrics)}\n`);
        if (result.checkpoint) process.stdout.write(`Checkpoint: ${result.checkpoint}\n`);
      }
    });
}
