import { textPlugin } from './plugin.js';

export { textPlugin };
export default textPlugin;

// Source and trunk.
export { bertSource, bertSourceOptions, type BertSourceOptions } from './source/bert-source.js';
export { BertTrunk, type BertTrunkOptions, type BertTrunkSplit, type Pooling } from './source/bert-trunk.js';
export { resolveModelDir } from './source/resolve.js';
export { exportBertClassifier } from './source/export-classifier.js';
export { bertInitSource, bertInitSourceOptions, type BertInitSourceOptions } from './source/bert-init-source.js';

// The tfjs BERT and its weights.
export { BertEncoder, meanPool, type BertInputs, type BertOutputs } from './bert/encoder.js';
export { embeddingLookup } from './bert/embedding.js';
export { parseBertConfig, bertConfigJson, type BertConfig } from './bert/config.js';
export { bertWeightSpecs, canonicalWeightName, type BertWeights, type HostWeight, type WeightSpec, type WeightKind } from './bert/weight-spec.js';
export { initBertWeights, initWeight, type InitOptions } from './bert/init.js';
export { loadBertWeights, checkBertWeights, SAFETENSORS_FILE, ONNX_FILE, type LoadedBertWeights } from './bert/load-weights.js';
export { loadBertModel, REQUIRED_FILES, type LoadedBert } from './bert/load-model.js';
export { bertWeightsFromOnnx } from './bert/onnx-weights.js';

// Formats.
export { parseSafetensors, serializeSafetensors, type LoadedTensor, type TensorToWrite, type SafetensorsDtype } from './safetensors/safetensors.js';
export { readSafetensors, writeSafetensors } from './safetensors/read-write.js';
export { buildBertOnnx, ATTENTION_MASK_BIAS, type OnnxClassifier } from './onnx/bert-onnx.js';
export { readOnnxModel, type ParsedOnnx, type OnnxInitializer } from './onnx/read-onnx.js';

// Hugging Face layout and tokenization.
export { writeBertDirectory, TOKENIZER_FILES, type WriteBertOptions } from './hf/write-bert-dir.js';
export { bertTokenizerJson, bertTokenizerConfigJson, vocabFromTexts, BERT_SPECIAL_TOKENS } from './hf/tokenizer-json.js';
export { loadTokenizer, encodeTexts, encodeWindows, type EncodedTexts } from './hf/tokenizer.js';
export { writeTinyBert, readVocabFile, type TinyBertOptions } from './fixture/tiny-bert.js';

// Datasets.
export { jsonlDataset, jsonlOptions, type JsonlOptions } from './datasets/jsonl.js';
export { csvDataset, csvOptions, type CsvOptions } from './datasets/csv.js';
export { spamAssassinDataset, spamAssassinOptions, loadSpamAssassinRows, mailBody, type SpamAssassinOptions } from './datasets/spam-assassin.js';
export { buildTextDataset, splitRows, type TextRow, type TextSplits } from './datasets/text-dataset.js';

// Masked-LM: a task type trained by core's loop.
export { maskTokens, type MaskingOptions, type MaskedBatch } from './mlm/masking.js';
export { MlmHead } from './mlm/mlm-head.js';
export { maskedLmTask, MaskedLmHead } from './mlm/masked-lm-task.js';
