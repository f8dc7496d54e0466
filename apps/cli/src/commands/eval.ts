import type { Command } from 'commander';
import { evaluateSplit, loadWeights, readCheckpointFile, type SplitName } from '@graft/core';
import { cliRuntime } from '../context.js';
import { metricsTable, printJson } from '../output.js';

export function evalCommand(program: Command): void {
  program
    .command('eval')
    .description('Evaluate a trained checkpoint on a split of the config’s datasets.')
    .requiredOption('-c, --config <file>', 'the config the checkpoint was trained with')
    .option('--checkpoint <file>', 'checkpoint file (default: the run’s output directory)')
    .option('--split <name>', 'test, validation or train', 'test')
    .option('--json', 'print the metrics as JSON')
    .action(async (opts: { config: string; checkpoint?: string; split: string; json?: boolean }) => {
      const run = await cliRuntime().load(opts.config);
      const session = await run.open();
      try {
        const path = opts.checkpoint ?? session.checkpointPath;
        loadWeights(session.model, readCheckpointFile(path).tensors, path);
        const metrics = (await evaluateSplit(session.model, session.data, opts.split as SplitName)) ?? {};
        if (opts.json) printJson({ split: opts.split, metrics, checkpoint: path });
        else process.stdout.write(`${metricsTable(metrics)}\n`);
      } finally {
        session.dispose();
      }
    });
}
