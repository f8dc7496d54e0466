import type * as tf from '@tensorflow/tfjs';
import { GraftError } from '@graft/core';
import type { FileStore } from '@graft/core';
import type { HostWeight } from '../bert/weight-spec.js';
import type { BertTrunk } from './bert-trunk.js';

/**
 * Export a fine-tuned text classifier (a `text/bert` trunk plus a task head) in the Hugging Face
 * layout, with an ONNX graph whose `logits` output transformers.js's `pipeline('text-classification')`
 * reads. `head.variables` are `[kernel₀ [in, out], bias₀, kernel₁, bias₁, …]` with ReLU between
 * layers — the layout of core's `Head`. Written into folder `dir` of `files` (a run's artifact store).
 */
export async function exportBertClassifier(
  files: FileStore,
  dir: string,
  trunk: BertTrunk,
  head: { variables: readonly tf.Variable[] },
  labels: readonly string[],
): Promise<void> {
  const vars = head.variables;
  if (vars.length === 0 || vars.length % 2 !== 0) {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', { what: `A head must hold kernel/bias pairs; got ${vars.length} variables` });
  }
  const host = async (v: tf.Variable): Promise<HostWeight> => ({ shape: [...v.shape], data: (await v.data()) as Float32Array });
  const layers: Array<{ kernel: HostWeight; bias: HostWeight }> = [];
  for (let i = 0; i < vars.length; i += 2) layers.push({ kernel: await host(vars[i]!), bias: await host(vars[i + 1]!) });
  await trunk.save(files, dir, { layers, pooling: trunk.pooling, labels });
}
