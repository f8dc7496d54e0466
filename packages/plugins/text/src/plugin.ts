import { definePlugin, packageMeta } from '@graft/core';
import { csvDataset } from './datasets/csv.js';
import { jsonlDataset } from './datasets/jsonl.js';
import { spamAssassinDataset } from './datasets/spam-assassin.js';
import { bertSource } from './source/bert-source.js';
import { mlmSource } from './source/mlm-source.js';

/** `@graft/text`: the `text/bert` and `text/mlm` sources and the `text/jsonl`, `text/csv`, `text/spam-assassin` datasets. */
export const textPlugin = definePlugin({
  meta: packageMeta(import.meta.url),
  sources: [bertSource, mlmSource],
  datasets: [jsonlDataset, csvDataset, spamAssassinDataset],
});
