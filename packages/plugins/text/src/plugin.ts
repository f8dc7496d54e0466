import { definePlugin, packageMeta } from '@graft/core';
import { csvDatasetWith } from './datasets/csv.js';
import { jsonlDatasetWith } from './datasets/jsonl.js';
import { spamAssassinDataset } from './datasets/spam-assassin.js';
import { TRANSFORMERS_HUB } from './hf/transformers-hub.js';
import { maskedLmTask } from './mlm/masked-lm-task.js';
import { bertInitSource } from './source/bert-init-source.js';
import { bertSourceWith } from './source/bert-source.js';
import { onnxExporter } from './source/onnx-exporter.js';

/** `text/bert` in Node: a directory, a URL, or a hub id through transformers.js. */
export const bertSource = bertSourceWith(TRANSFORMERS_HUB);
/** `text/jsonl` in Node: hub tokenizers through transformers.js. */
export const jsonlDataset = jsonlDatasetWith(TRANSFORMERS_HUB);
/** `text/csv` in Node: hub tokenizers through transformers.js. */
export const csvDataset = csvDatasetWith(TRANSFORMERS_HUB);

/**
 * `@graft/text`: the `text/bert` and `text/bert-init` sources, the `masked-lm` task type and the `text/jsonl`,
 * `text/csv`, `text/spam-assassin` datasets.
 */
export const textPlugin = definePlugin({
  meta: packageMeta(import.meta.url),
  sources: [bertSource, bertInitSource],
  tasks: [maskedLmTask],
  datasets: [jsonlDataset, csvDataset, spamAssassinDataset],
  exporters: [onnxExporter],
});
