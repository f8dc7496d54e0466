import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson } from '../output.js';
import { withTrainedRun, type RunFlags } from '../open-run.js';

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description('Export a trained task with a format a plugin provides (see `graft plugins`: exporters).')
    .argument('[run]', 'run folder or checkpoint file (its config is stored in the checkpoint)')
    .requiredOption('--out <dir>', 'directory to write (created; files are written atomically)')
    .option('-c, --config <file>', 'the config the run was trained with (default checkpoint: its run folder’s)')
    .option('--checkpoint <file>', 'checkpoint file or run folder')
    .option('--format <format>', 'export format (onnx: BERT text classifiers)', 'onnx')
    .option('--task <name>', 'which task’s head to export (default: the first)')
    .option('--json', 'print { format, out, task, files } as JSON')
    .action(async (run: string | undefined, opts: RunFlags & { out: string; format: string; task?: string; json?: boolean }) =>
      withTrainedRun(run, opts, async (trained) => {
        const result = await trained.export(opts.format, resolve(opts.out), { task: opts.task });
        if (opts.json) printJson(result);
        else process.stdout.write(`Exported task "${result.task}" as ${result.format} to ${result.out}\n`);
      }),
    );
}
