import type { Command } from 'commander';
import type { SplitName } from '@graft/core';
import { metricsTable, printJson } from '../output.js';
import { withTrainedRun, type RunFlags } from '../open-run.js';

export function evalCommand(program: Command): void {
  program
    .command('eval')
    .description('Evaluate a trained run on a split of its datasets.')
    .argument('[run]', 'run folder or checkpoint file (its config is stored in the checkpoint)')
    .option('-c, --config <file>', 'the config the run was trained with (default checkpoint: its run folder’s)')
    .option('--checkpoint <file>', 'checkpoint file or run folder')
    .option('--data <path>', 'read the dataset from this folder instead of the one stored in the checkpoint (e.g. the images a Graft Studio checkpoint was trained on, one folder per class)')
    .option('--backend <name>', 'run on this backend instead of the stored one (auto picks the best available)')
    .option('--split <name>', 'test, validation or train', 'test')
    .option('--json', 'print the metrics as JSON')
    .action(async (run: string | undefined, opts: RunFlags & { split: string; json?: boolean }) =>
      withTrainedRun(run, opts, async (trained) => {
        const metrics = await trained.evaluate(opts.split as SplitName);
        if (opts.json) printJson({ split: opts.split, metrics, checkpoint: trained.checkpoint, backend: trained.backend });
        else process.stdout.write(`${metricsTable(metrics)}\n`);
      }),
    );
}
