import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GraftError } from '@graft/core';
import { importTransformers } from '../hf/transformers.js';

/**
 * The local directory holding hub model `id`, loaded through transformers.js (an optional peer dependency,
 * loaded only here), so its `env.allowRemoteModels`, `env.localModelPath` and `env.cacheDir` apply: a model
 * already in the cache or under `localModelPath` loads offline. Node only: it reads transformers.js's disk cache.
 */
export async function resolveHubModelDir(id: string, where: string): Promise<string> {
  const { AutoConfig, AutoModel, AutoTokenizer, env } = await importTransformers(`The hub model "${id}"`, `${where}.model`);
  try {
    await AutoConfig.from_pretrained(id);
    await AutoTokenizer.from_pretrained(id);
    // Loading the model fetches onnx/model.onnx into the cache; its initializers are the weights.
    const model = await AutoModel.from_pretrained(id, { dtype: 'fp32' });
    await model.dispose();
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Cannot load the model "${id}" through transformers.js`,
      where: `${where}.model`,
      why: (cause as Error).message,
      fix: env.allowRemoteModels
        ? 'Check the model id and your network, or use `path` with a local directory.'
        : 'Remote models are disabled (env.allowRemoteModels = false): put the model in env.cacheDir or env.localModelPath, or use `path`.',
      cause,
    });
  }
  const candidates = [env.localModelPath, env.cacheDir].filter((d): d is string => typeof d === 'string').map((d) => join(d, id));
  const dir = candidates.find((d) => existsSync(join(d, 'config.json')));
  if (!dir) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `transformers.js loaded "${id}" but its files are not in a local directory Graft can read`,
      where: `${where}.model`,
      why: `looked in ${candidates.join(' and ')}`,
      fix: 'Enable the file-system cache (env.useFSCache) or download the model and use `path`.',
    });
  }
  return dir;
}
