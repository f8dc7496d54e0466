import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { GraftError, loadWeights, readCheckpointFile, sliceInputs, type Examples } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson } from '../output.js';

export function predictCommand(program: Command): void {
  program
    .command('predict')
    .description('Predict with a trained checkpoint: samples from a JSON file of inputs, or the first samples of a split.')
    .requiredOption('-c, --config <file>', 'the config the checkpoint was trained with')
    .option('--checkpoint <file>', 'checkpoint file (default: the run’s output directory)')
    .option('--input <file>', 'JSON file: { "<input name>": [sample, ...] } with raw inputs as the dataset gives them')
    .option('--split <name>', 'predict the first --limit samples of this split instead', 'test')
    .option('--limit <n>', 'samples to predict from the split', '5')
    .option('--json', 'print predictions as JSON')
    .action(async (opts: { config: string; checkpoint?: string; input?: string; split: 'test' | 'validation' | 'train'; limit: string; json?: boolean }) => {
      const run = await cliRuntime().load(opts.config);
      const session = await run.open();
      try {
        const path = opts.checkpoint ?? session.checkpointPath;
        loadWeights(session.model, readCheckpointFile(path).tensors, path);
        const inputs = opts.input ? readInputs(opts.input) : splitInputs(session.data.groups[0]!.dataset[opts.split], Number(opts.limit), opts.split);
        const features = session.model.features(inputs, false);
        const predictions = [];
        for (const task of session.model.tasks) {
          const out = tf.tidy(() => {
            const raw = session.model.heads.get(task.name)!.apply(features, false);
            const scale = session.data.scales.get(task.name);
            return scale ? tf.add(tf.mul(raw, scale.std), scale.mean) : raw;
          });
          const rows = (await out.array()) as number[][];
          out.dispose();
          predictions.push({ task: task.name, predictions: rows.map((r) => task.type.describePrediction(Float32Array.from(r), task.info)) });
        }
        features.dispose();
        tf.dispose(Object.values(inputs));
        if (opts.json) printJson({ checkpoint: path, results: predictions });
        else for (const p of predictions) process.stdout.write(`${p.task}:\n${p.predictions.map((x, i) => `  ${i}: ${JSON.stringify(x)}`).join('\n')}\n`);
      } finally {
        session.dispose();
      }
    });
}

function readInputs(file: string): Record<string, tf.Tensor> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new GraftError('GRAFT_USAGE', { what: `Cannot read inputs from ${file}`, fix: 'Pass a JSON file mapping input names to arrays of samples', cause });
  }
  return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, tf.tensor(value as number[])]));
}

function splitInputs(examples: Examples | undefined, limit: number, split: string): Record<string, tf.Tensor> {
  if (!examples) throw new GraftError('GRAFT_USAGE', { what: `The dataset has no ${split} split`, fix: 'Pass --split with another split, or --input' });
  return sliceInputs(examples, 0, Math.min(limit, examples.size));
}
