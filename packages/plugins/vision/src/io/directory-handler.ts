import * as tf from '@tensorflow/tfjs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import { groupBytes, loadError, parseModelJson, safeRelativePath, type LayersModelJson } from './manifest.js';

/**
 * A tfjs IO handler that reads a layers model from a directory: `model.json` plus the weight shards its
 * manifest lists. Shards must lie inside the directory (symbolic links are followed only if they stay
 * inside), and each weights group must have exactly the bytes its shapes need.
 */
export function directoryHandler(dir: string, jsonName = 'model.json'): tf.io.IOHandler {
  return { load: () => readModelDirectory(dir, jsonName) };
}

/** The model artifacts stored in `dir`; every failure is a `GRAFT_MODEL_LOAD` error naming the file. */
export async function readModelDirectory(dir: string, jsonName = 'model.json'): Promise<tf.io.ModelArtifacts> {
  const json = await readModelJson(dir, jsonName);
  const root = await realpath(dir);
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    const expected = groupBytes(group, join(dir, jsonName));
    const parts: Uint8Array[] = [];
    for (const p of group.paths) parts.push(await readShard(dir, root, p, jsonName));
    const got = parts.reduce((n, b) => n + b.byteLength, 0);
    if (got !== expected) {
      const names = group.paths.join(', ');
      throw loadError(
        `Weight shard${group.paths.length > 1 ? `s ${names} are` : ` ${names} is`} ${got < expected ? 'short' : 'too long'}: ${got} bytes, but the manifest needs ${expected}`,
        join(dir, group.paths[group.paths.length - 1]!),
        {
          why: `They hold ${group.weights.map((w) => w.name).join(', ')}`,
          fix: 'The download was probably interrupted: delete the model directory (or its cache entry) and fetch it again',
        },
      );
    }
    buffers.push(...parts.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  }
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => [tf.io.getWeightSpecs(manifest), weightData]);
}

/** The checked `model.json` (or `jsonName`) of a model directory. */
export async function readModelJson(dir: string, jsonName = 'model.json'): Promise<LayersModelJson> {
  const file = join(dir, jsonName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw loadError(`No ${jsonName} in the model directory`, file, {
      cause,
      fix: 'Give the directory that holds model.json and its weight shards (a TensorFlow.js layers model)',
    });
  }
  return parseModelJson(text, file);
}

async function readShard(dir: string, root: string, manifestPath: string, jsonName: string): Promise<Uint8Array> {
  const file = join(dir, ...safeRelativePath(manifestPath, join(dir, jsonName)));
  let real: string;
  try {
    real = await realpath(file);
    if (!(await stat(real)).isFile()) throw new Error('not a regular file');
  } catch (cause) {
    throw loadError(`Weight shard "${manifestPath}" listed in ${jsonName} is missing`, file, {
      cause,
      fix: 'Copy every file the weights manifest lists next to model.json, or fetch the model again',
    });
  }
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw loadError(`Weight shard "${manifestPath}" resolves outside the model directory`, file, {
      why: 'It is a link that leaves the directory, and Graft reads nothing outside a model directory',
      fix: 'Replace the link by the file itself',
    });
  }
  return readFile(real);
}
