import { readModelFile, writeFileAtomic } from '../hf/model-files.js';
import { parseSafetensors, serializeSafetensors, type LoadedTensor, type TensorToWrite } from './safetensors.js';

/** Read `name` (default `model.safetensors`) from a model directory; never reads outside it. */
export async function readSafetensors(dir: string, name = 'model.safetensors'): Promise<Map<string, LoadedTensor>> {
  const bytes = await readModelFile(dir, name);
  return parseSafetensors(bytes, `${dir}/${name}`).tensors;
}

/** Write tensors to `path` in the safetensors format, atomically. */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
