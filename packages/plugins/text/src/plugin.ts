import { definePlugin } from '@graft/core';
import { csvDataset } from './datasets/csv.js';
import { jsonlDataset } from './datasets/jsonl.js';
import { spamAssassinDataset } from './datasets/spam-assassin.js';
import { bertSource } from './source/bert-source.js';
import { mlmSource } from './source/mlm-source.js';
import { onnxExporter } from './source/onnx-exporter.js';

/** `@graft/text`: the `text/bert` and `text/mlm` sources and the `text/jsonl`, `text/csv`, `text/spam-assassin` datasets. */
export const textPlugin = definePlugin({
  meta: { name: '@graft/text', version: '0.1.0', api: 1 },
  sources: [bertSource, mlmSource],
  datasets: [jsonlDataset, csvDataset, spamAssassinDataset],
  exporters: [onnxExporter],
});
