import { definePlugin } from '@graft/core';
import { csvDataset } from './datasets/csv.js';
import { jsonlDataset } from './datasets/jsonl.js';
import { spamAssassinDataset } from './datasets/spam-assassin.js';
import { maskedLmTask } from './mlm/masked-lm-task.js';
import { bertInitSource } from './source/bert-init-source.js';
import { bertSource } from './source/bert-source.js';

/**
 * `@graft/text`: the `text/bert` and `text/bert-init` sources, the `masked-lm` task type and the `text/jsonl`,
 * `text/csv`, `text/spam-assassin` datasets.
 */
export const textPlugin = definePlugin({
  meta: { name: '@graft/text', version: '0.1.0', api: 1 },
  sources: [bertSource, bertInitSource],
  tasks: [maskedLmTask],
  datasets: [jsonlDataset, csvDataset, spamAssassinDataset],
});
