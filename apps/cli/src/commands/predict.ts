import type { Command } from 'commander';
import { GraftError, type PredictRequest, type RawInputs, type SplitName } from '@graft/core';
import { readJsonFile } from '../files.js';
import { printJson } from '../output.js';
import { withTrainedRun, type RunFlags } from '../open-run.js';

function limitOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new GraftError('GRAFT_USAGE', { what: `"${value}" is not a positive whole number`, where: '--limit', fix: 'Pass --limit 1 or more' });
  }
  return n;
}

export function predictCommand(program: Command): void {
  program
    .command('predict')
    .description('Predict with a trained run: samples from a JSON file of inputs, or the first samples of a split.')
    .argument('[run]', 'run folder or checkpoint file (its config is stored in the checkpoint)')
    .option('-c, --config <file>', 'the config the run was trained with (default checkpoint: its run folder’s)')
    .option('--checkpoint <file>', 'checkpoint file or run folder')
    .option('--data <path>', 'read the dataset from this folder instead of the one stored in the checkpoint (e.g. the images a Graft Studio checkpoint was trained on, one folder per class)')
    .option('--backend <name>', 'run on this backend instead of the stored one (auto picks the best available)')
    .option('--input <file>', 'JSON file: { "<input name>": [sample, ...] } with raw inputs as the dataset gives them')
    .option('--split <name>', 'predict the first --limit samples of this split instead', 'test')
    .option('--limit <n>', 'samples to predict from the split', '5')
    .option('--json', 'print predictions as JSON')
    .action(async (run: string | undefined, opts: RunFlags & { input?: string; split: string; limit: string; json?: boolean }) => {
      const request: PredictRequest = opts.input
        ? { inputs: readJsonFile(opts.input, '--input') as RawInputs }
        : { split: opts.split as SplitName, limit: limitOf(opts.limit) };
      await withTrainedRun(run, opts, async (trained) => {
        const results = await trained.predict(request);
        if (opts.json) printJson({ checkpoint: trained.checkpoint, results });
        else for (const p of results) process.stdout.write(`${p.task}:\n${p.predictions.map((x, i) => `  ${i}: ${JSON.stringify(x)}`).join('\n')}\n`);
      });
    });
}
