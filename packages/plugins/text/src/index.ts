/**
 * `@graft/text`: the plugin (BERT sources, the masked-LM task type, text datasets, the ONNX exporter), its option schemas, and the
 * tiny-BERT fixture for tests and demos. Building blocks are on `@graft/text/internal`.
 */
import { bertSource, csvDataset, jsonlDataset, textPlugin } from './plugin.js';

export { textPlugin };
export default textPlugin;

export { bertSource, jsonlDataset, csvDataset };
export { bertSourceOptions, type BertSourceOptions } from './source/bert-source.js';
export { bertInitSource, bertInitSourceOptions, type BertInitSourceOptions } from './source/bert-init-source.js';
export { maskedLmTask } from './mlm/masked-lm-task.js';

export { bertTokenizerJson, bertTokenizerConfigJson, vocabFromTexts, BERT_SPECIAL_TOKENS } from './hf/tokenizer-json.js';
export { writeTinyBert, readVocabFile, type TinyBertOptions } from './fixture/tiny-bert.js';
export { writeTinyBertTo } from './fixture/tiny-bert-model.js';

export { jsonlOptions, type JsonlOptions } from './datasets/jsonl.js';
export { csvOptions, type CsvOptions } from './datasets/csv.js';
export { spamAssassinDataset, spamAssassinOptions, type SpamAssassinOptions } from './datasets/spam-assassin.js';
export { SOURCE_TOKENIZER } from './datasets/text-dataset.js';
export { onnxExporter } from './source/onnx-exporter.js';
