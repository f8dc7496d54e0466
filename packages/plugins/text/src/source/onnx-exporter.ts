import { GraftError, type Exporter } from '@graft/core';
import { BertTrunk } from './bert-trunk.js';
import { exportBertClassifier } from './export-classifier.js';

/** `graft export --format onnx`: a BERT text classifier in the Hugging Face layout transformers.js runs. */
export const onnxExporter: Exporter = {
  name: 'onnx',
  description: 'BERT text classifier as ONNX + safetensors + tokenizer (Hugging Face layout, runs in transformers.js).',
  unsupported(model, task) {
    if (!(model.trunk instanceof BertTrunk)) return 'Only BERT text classifiers (sources text/bert, text/mlm) export to ONNX so far.';
    if (task.info.kind !== 'classes') return `Task "${task.name}" is not a classification; the Hugging Face layout holds a classifier.`;
    return undefined;
  },
  async export({ model, task, out, env }) {
    const why = this.unsupported(model, task);
    if (why || !(model.trunk instanceof BertTrunk) || task.info.kind !== 'classes') {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `Task "${task.name}" cannot be exported as ONNX`, why, fix: 'Check `unsupported()` before exporting' });
    }
    await exportBertClassifier(env.artifacts, out, model.trunk, model.heads.get(task.name)!, task.info.classes);
    const files = await env.artifacts.list(out);
    return { files: files.map((f) => env.artifacts.resolve(out, f)) };
  },
};
