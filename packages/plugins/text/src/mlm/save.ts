import type { BertEncoder } from '../bert/encoder.js';
import { writeBertDirectory } from '../hf/write-bert-dir.js';
import type { MlmHead } from './mlm-head.js';

/**
 * Save a (pre)trained encoder in the Hugging Face layout with an ONNX export, so transformers.js and
 * `text/bert` load it. The MLM head, when given, is stored in `model.safetensors` under its HF names
 * (`cls.predictions.*`) so pretraining can resume; the ONNX graph holds the encoder only.
 */
export async function saveBert(
  dir: string,
  encoder: BertEncoder,
  tokenizer: { vocab: readonly string[] } | { tokenizerFrom: string },
  head?: MlmHead,
): Promise<void> {
  const extra = head ? Object.fromEntries(await head.toHost()) : undefined;
  await writeBertDirectory(dir, { config: encoder.config, weights: await encoder.toHost(), ...tokenizer, extraTensors: extra });
}
