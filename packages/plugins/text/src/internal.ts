/**
 * `@graft/text/internal`: the plugin's public surface plus its building blocks (the tfjs BERT, weight
 * formats, ONNX, tokenization, masked-LM pieces) for first-party benches and tests. Not a stable API.
 */
export * from './index.js';
export { BertTrunk, type BertTrunkOptions, type BertTrunkSplit, type Pooling } from './source/bert-trunk.js';
export { resolveHubModelDir } from './source/resolve.js';
export { fileModelFolder, urlModelFolder, readModelJson, modelFileName, type ModelFolder } from './hf/model-folder.js';
export { localModelFolder, loadTokenizer } from './hf/node-access.js';
export { NO_HUB, type HubAccess } from './hf/hub.js';
export { TRANSFORMERS_HUB } from './hf/transformers-hub.js';
export { exportBertClassifier } from './source/export-classifier.js';
export { BertEncoder, meanPool, type BertInputs, type BertOutputs } from './bert/encoder.js';
export { embeddingLookup } from './bert/embedding.js';
export { parseBertConfig, bertConfigJson, type BertConfig } from './bert/config.js';
export { bertWeightSpecs, canonicalWeightName, type BertWeights, type HostWeight, type WeightSpec, type WeightKind } from './bert/weight-spec.js';
export { initBertWeights, initWeight, type InitOptions } from './bert/init.js';
export { loadBertWeights, checkBertWeights, SAFETENSORS_FILE, ONNX_FILE, type LoadedBertWeights } from './bert/load-weights.js';
export { loadBertModel, REQUIRED_FILES, type LoadedBert } from './bert/load-model.js';
export { bertWeightsFromOnnx } from './bert/onnx-weights.js';
export { parseSafetensors, serializeSafetensors, type LoadedTensor, type TensorToWrite, type SafetensorsDtype } from './safetensors/safetensors.js';
export { readSafetensors, writeSafetensors } from './safetensors/read-write.js';
export { buildBertOnnx, ATTENTION_MASK_BIAS, type OnnxClassifier } from './onnx/bert-onnx.js';
export { readOnnxModel, parseOnnxModel, type ParsedOnnx, type OnnxInitializer } from './onnx/read-onnx.js';
export { writeBertDirectory, TOKENIZER_FILES, type WriteBertOptions } from './hf/write-bert-dir.js';
export { openTokenizer, encodeTexts, encodeWindows, type EncodedTexts, type TokenizerAccess } from './hf/tokenizer.js';
export { WordPieceTokenizer, wordPieceFromTokenizerJson, type TextTokenizer, type WordPieceOptions } from './hf/wordpiece.js';
export { importTransformers, TRANSFORMERS_PACKAGE } from './hf/transformers.js';
export { spamAssassinDataset, spamAssassinOptions, loadSpamAssassinRows, mailBody, type SpamAssassinOptions, type SpamAssassinOrigin } from './datasets/spam-assassin.js';
export { spamAssassinArchive, spamAssassinMails, extractedDirFor, bunzip, SPAM_ASSASSIN_BASE_URL, type SpamAssassinGroup } from './datasets/spam-assassin-archives.js';
export { buildTextDataset, splitRows, type TextRow, type TextSplits } from './datasets/text-dataset.js';
export { maskTokens, type MaskingOptions, type MaskedBatch } from './mlm/masking.js';
export { MlmHead } from './mlm/mlm-head.js';
export { MaskedLmHead } from './mlm/masked-lm-task.js';
