import { resolveHubModelDir } from '../source/resolve.js';
import type { HubAccess } from './hub.js';
import { importTransformers } from './transformers.js';
import type { TextTokenizer } from './wordpiece.js';

/** Hub access in Node: transformers.js (optional peer dependency) and its cache. */
export const TRANSFORMERS_HUB: HubAccess = {
  modelDir: resolveHubModelDir,
  async tokenizer(ref: string, where?: string): Promise<TextTokenizer> {
    const { AutoTokenizer } = await importTransformers(`The tokenizer "${ref}"`, where);
    return AutoTokenizer.from_pretrained(ref);
  },
};
