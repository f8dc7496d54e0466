import type { FileStore } from '@graft/core';
import { fileWhere, type ModelFolder } from '../hf/model-folder.js';
import { parseSafetensors, serializeSafetensors, type LoadedTensor, type TensorToWrite } from './safetensors.js';

/** Read `name` (default `model.safetensors`) from a model folder; never reads outside it. */
export async function readSafetensors(folder: ModelFolder, name = 'model.safetensors'): Promise<Map<string, LoadedTensor>> {
  return parseSafetensors(await folder.read(name), fileWhere(folder, name)).tensors;
}

/** Write tensors to `path` of `files` in the safetensors format, atomically. */
export async function writeSafetensors(
  files: FileStore,
  path: string,
  tensors: Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  await files.write(path, serializeSafetensors(tensors, metadata));
}
