import { GraftError } from '@graft/core';
import type { TextTokenizer } from './wordpiece.js';

/**
 * What reaches the Hugging Face hub by id. Node's entry binds transformers.js (an optional peer dependency
 * with a disk cache, `hf/transformers-hub.ts`); a browser entry binds {@link NO_HUB}, since a page reads
 * model folders by URL (`text/bert` with `url`) instead.
 */
export interface HubAccess {
  /** The local directory holding the files of hub model `id`, downloaded into the cache when needed. */
  modelDir(id: string, where: string): Promise<string>;
  /** A tokenizer Graft's WordPiece reader cannot read: a hub id, or a local folder whose tokenizer.json is not WordPiece. */
  tokenizer(ref: string, where?: string): Promise<TextTokenizer>;
}

/** Hub access in a browser: none; each use says what to give instead. */
export const NO_HUB: HubAccess = {
  async modelDir(id, where) {
    throw new GraftError('GRAFT_CONFIG_INVALID', {
      what: `The hub model "${id}" cannot be loaded by id in a browser`,
      where,
      why: 'hub ids go through transformers.js and its disk cache, which only the Node entry of @graft/text binds',
      fix: 'Give `url`: the base URL of a folder in the Hugging Face layout (config.json, tokenizer.json, tokenizer_config.json, model.safetensors)',
    });
  },
  async tokenizer(ref, where) {
    throw new GraftError('GRAFT_CONFIG_INVALID', {
      what: `The tokenizer "${ref}" cannot be loaded in a browser`,
      where,
      why: 'only BERT WordPiece tokenizers (tokenizer.json or vocab.txt) are read without transformers.js, which only the Node entry of @graft/text binds',
      fix: 'Name a folder or URL holding a BERT WordPiece tokenizer.json, or a vocab.txt',
    });
  },
};
