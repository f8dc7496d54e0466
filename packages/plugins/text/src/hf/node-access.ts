import { nodeFileStore, nodeResourceStore } from '@graft/core';
import { fileModelFolder, type ModelFolder } from './model-folder.js';
import { openTokenizer } from './tokenizer.js';
import { TRANSFORMERS_HUB } from './transformers-hub.js';
import type { TextTokenizer } from './wordpiece.js';

/**
 * Node conveniences over the environment-injected readers, for tests, benches and scripts that hold a
 * plain path: the file system, the disk cache (`GRAFT_CACHE`, mirror `GRAFT_MIRROR`) and transformers.js.
 * Node only: the browser entry never reaches this module.
 */

/** A model directory on disk. */
export function localModelFolder(dir: string): ModelFolder {
  return fileModelFolder(nodeFileStore(), dir);
}

/** {@link openTokenizer} with Node's files, download cache and transformers.js: a vocab.txt, a model directory or a hub id. */
export async function loadTokenizer(pathOrId: string, where?: string): Promise<TextTokenizer> {
  const files = nodeFileStore();
  return openTokenizer(pathOrId, { files, resources: nodeResourceStore(files), hub: TRANSFORMERS_HUB, where });
}
