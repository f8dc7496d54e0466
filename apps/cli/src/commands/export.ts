import type { Command } from 'commander';
import { resolve } from 'node:path';
import { GraftError, loadWeights, readCheckpointFile } from '@graft/core';
import { BertTrunk, exportBertClassifier } from '@graft/text';
import { cliRuntime } from '../context.js';
import { printJson } from '../output.js';

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description('Export a trained text classifier in the Hugging Face layout (ONNX + safetensors + tokenizer) that transformers.js runs.')
    .requiredOption('-c, --config <file>', 'the config the checkpoint was trained with')
    .requiredOption('--out <dir>', 'directory to write (created; files are written atomically)')
    .option('--format <format>', 'export format: onnx', 'onnx')
    .option('--checkpoint <file>', 'checkpoint file (default: the run’s output directory)')
    .option('--task <name>', 'which task’s head to export (default: the first)')
    .option('--json', 'print { out, task, labels } as JSON')
    .action(async (opts: { config: string; out: string; format: string; checkpoint?: string; task?: string; json?: boolean }) => {
      if (opts.format !== 'onnx') throw new GraftError('GRAFT_USAGE', { what: `Unknown export format "${opts.format}"`, where: '--format', choices: ['onnx'] });
      const run = await cliRuntime().load(opts.config);
      const session = await run.open();
      try {
        const path = opts.checkpoint ?? session.checkpointPath;
        loadWeights(session.model, readCheckpointFile(path).tensors, path);
        const trunk = session.model.trunk;
        if (!(trunk instanceof BertTrunk)) {
          throw new GraftError('GRAFT_USAGE', { what: `Source "${run.plan.source.plugin.name}" cannot be exported to ONNX`, why: 'Only BERT text classifiers (text/bert, text/mlm) export to the Hugging Face layout so far.', fix: 'Export a run whose source is text/bert or text/mlm' });
        }
        const task = opts.task ? session.model.tasks.find((t) => t.name === opts.task) : session.model.tasks[0];
        if (!task) throw new GraftError('GRAFT_USAGE', { what: `No task "${opts.task}"`, where: '--task', choices: session.model.tasks.map((t) => t.name) });
        if (task.info.kind !== 'classes') throw new GraftError('GRAFT_USAGE', { what: `Task "${task.name}" is not a classification`, fix: 'Export a classification task' });
        const out = resolve(opts.out);
        await exportBertClassifier(out, trunk, session.model.heads.get(task.name)!, task.info.classes);
        if (opts.json) printJson({ out, task: task.name, labels: task.info.classes });
        else process.stdout.write(`Exported task "${task.name}" to ${out} (load it with transformers.js: pipeline('text-classification', <dir>))\n`);
      } finally {
        session.dispose();
      }
    });
}
