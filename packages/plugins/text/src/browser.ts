import { definePlugin, GRAFT_VERSION } from '@graft/core';
import { csvDatasetWith } from './datasets/csv.js';
import { jsonlDatasetWith } from './datasets/jsonl.js';
import { NO_HUB } from './hf/hub.js';
import { maskedLmTask } from './mlm/masked-lm-task.js';
import { bertInitSource } from './source/bert-init-source.js';
import { bertSourceWith } from './source/bert-source.js';
import { onnxExporter } from './source/onnx-exporter.js';

/**
 * The browser entry of `@graft/text`: `text/bert` from a URL (`url`, through the environment's Cache API
 * store and mirror) or from the page's files (`path`), `text/bert-init`, the `masked-lm` task type, the
 * `text/jsonl` and `text/csv` datasets over the page's files, and the ONNX exporter into the run's
 * artifacts. Everything is read through the injected environment (`ctx.env.files`, `ctx.env.resources`);
 * nothing here imports a `node:` module (scripts/check-browser-imports.mjs).
 *
 * Left to the Node entry: hub ids (`model:`, tokenizers by id) go through transformers.js and its disk
 * cache; `text/spam-assassin` unpacks its archives on disk; `writeTinyBert` and `readVocabFile` take disk
 * paths (`writeTinyBertTo` writes into any file store).
 */
export { bertSourceOptions, type BertSourceOptions } from './source/bert-source.js';
export { bertInitSource, bertInitSourceOptions, type BertInitSourceOptions } from './source/bert-init-source.js';
export { maskedLmTask } from './mlm/masked-lm-task.js';
export { bertTokenizerJson, bertTokenizerConfigJson, vocabFromTexts, BERT_SPECIAL_TOKENS } from './hf/tokenizer-json.js';
export { writeTinyBertTo, type TinyBertOptions } from './fixture/tiny-bert-model.js';
export { jsonlOptions, type JsonlOptions } from './datasets/jsonl.js';
export { csvOptions, type CsvOptions } from './datasets/csv.js';
export { SOURCE_TOKENIZER } from './datasets/text-dataset.js';
export { onnxExporter } from './source/onnx-exporter.js';

/** `text/bert` in a browser: `url` or `path`; a hub id says to give a URL instead. */
export const bertSource = bertSourceWith(NO_HUB);
/** `text/jsonl` over the page's files. */
export const jsonlDataset = jsonlDatasetWith(NO_HUB);
/** `text/csv` over the page's files. */
export const csvDataset = csvDatasetWith(NO_HUB);

/** `@graft/text` for a page: the sources, task type, datasets and exporter that need no file system. */
const textPlugin = definePlugin({
  // A page cannot read package.json; the browser registry checks shapes and names, not versions.
  meta: { name: '@graft/text', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  sources: [bertSource, bertInitSource],
  tasks: [maskedLmTask],
  datasets: [jsonlDataset, csvDataset],
  exporters: [onnxExporter],
});

export default textPlugin;
export { textPlugin };
