import type { BertConfig } from '../bert/config.js';
import { bertConfigJson } from '../bert/config.js';
import type { BertWeights } from '../bert/weight-spec.js';
import { buildBertOnnx, type OnnxClassifier } from '../onnx/bert-onnx.js';
import { serializeSafetensors, type TensorToWrite } from '../safetensors/safetensors.js';
import { GraftError } from '@graft/core';
import type { FileStore } from '@graft/core';
import { isMissingFile, type ModelFolder } from './model-folder.js';
import { bertTokenizerConfigJson, bertTokenizerJson } from './tokenizer-json.js';

/** The tokenizer files of a Hugging Face BERT directory. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'] as const;

export interface WriteBertOptions {
  config: BertConfig;
  weights: BertWeights;
  /** WordPiece vocabulary, id = index: the tokenizer files are generated from it. */
  vocab?: readonly string[];
  /** Or: a model folder whose tokenizer files (tokenizer.json, tokenizer_config.json, ...) are copied. */
  tokenizerFrom?: ModelFolder;
  /** Write `onnx/model.onnx` (what transformers.js runs). @default true */
  onnx?: boolean;
  /** Write `model.safetensors` (what Hugging Face and Graft's tfjs encoder read). @default true */
  safetensors?: boolean;
  /** Extra tensors to store in `model.safetensors` (an MLM head's bias, ...), by name. */
  extraTensors?: Record<string, TensorToWrite>;
  /** `model_max_length` of the tokenizer. @default config.maxPositions */
  maxLength?: number;
  /**
   * A sequence classifier on the pooled features: the directory becomes a `BertForSequenceClassification`
   * (config `id2label`, ONNX output `logits`) that transformers.js runs with `pipeline('text-classification')`.
   */
  classifier?: OnnxClassifier & { labels: readonly string[] };
}

/**
 * Write a BERT in the Hugging Face layout: `config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * `special_tokens_map.json`, `vocab.txt`, `model.safetensors` and `onnx/model.onnx`, into folder `dir` of
 * `files` (Node's disk, or a page's memory). Every file is written atomically, so transformers.js and
 * Hugging Face `from_pretrained` can load the directory.
 */
export async function writeBertDirectory(files: FileStore, dir: string, options: WriteBertOptions): Promise<void> {
  const write = (name: string, data: Uint8Array | string) => files.write(files.resolve(dir, name), data);
  const { config, weights, vocab } = options;
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  const configJson = bertConfigJson(config);
  const classifier = options.classifier;
  if (classifier) {
    const classes = classifier.layers.at(-1)?.bias.shape[0];
    if (classes !== classifier.labels.length) {
      throw new GraftError('GRAFT_INVALID_ARGUMENT', {
        what: `The classifier has ${classes} outputs but ${classifier.labels.length} labels were given`,
      });
    }
    Object.assign(configJson, {
      architectures: ['BertForSequenceClassification'],
      id2label: Object.fromEntries(classifier.labels.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(classifier.labels.map((l, i) => [l, i])),
      problem_type: 'single_label_classification',
      graft_pooling: classifier.pooling ?? 'cls',
    });
  }
  await write('config.json', json(configJson));
  if (vocab) {
    await write('tokenizer.json', json(bertTokenizerJson(vocab)));
    await write('tokenizer_config.json', json(bertTokenizerConfigJson(options.maxLength ?? config.maxPositions)));
    await write(
      'special_tokens_map.json',
      json({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' }),
    );
    await write('vocab.txt', `${vocab.join('\n')}\n`);
  } else if (options.tokenizerFrom) {
    for (const name of TOKENIZER_FILES) {
      const has = await options.tokenizerFrom.has(name);
      if (has === false) continue;
      try {
        await write(name, await options.tokenizerFrom.read(name));
      } catch (e) {
        // A folder that cannot list its files (a URL) may lack the optional ones (vocab.txt, special_tokens_map.json).
        if (!(has === undefined && isMissingFile(e))) throw e;
      }
    }
  } else {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: 'writeBertDirectory needs `vocab` or `tokenizerFrom` to write the tokenizer' });
  }
  if (options.safetensors ?? true) {
    const tensors: Record<string, TensorToWrite> = { ...options.extraTensors };
    for (const [name, t] of weights) tensors[name] = t;
    classifier?.layers.forEach((layer, i) => {
      tensors[`classifier.${i}.kernel`] = layer.kernel;
      tensors[`classifier.${i}.bias`] = layer.bias;
    });
    await write('model.safetensors', serializeSafetensors(tensors, { format: 'pt' }));
  }
  if (options.onnx ?? true) await write('onnx/model.onnx', buildBertOnnx(config, weights, classifier));
}
