import * as tf from '@tensorflow/tfjs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import { GraftError } from '@graft/core';
import { groupBytes, loadError, MAX_MODEL_JSON_BYTES, parseModelJson, safeRelativePath, type LayersModelJson } from './manifest.js';

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
    // Sizes are compared with the manifest from the file system before any shard is read.
    const shards: Array<{ real: string; size: number }> = [];
    for (const p of group.paths) shards.push(await locateShard(dir, root, p, jsonName));
    const got = shards.reduce((n, s) => n + s.size, 0);
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
    const parts: Uint8Array[] = [];
    for (const s of shards) parts.push(await readFile(s.real));
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
    const size = (await stat(file)).size;
    if (size > MAX_MODEL_JSON_BYTES) {
      throw loadError(`${jsonName} has ${size} bytes, more than the ${MAX_MODEL_JSON_BYTES}-byte cap`, file, {
        why: 'A layers model.json holds the topology and the manifest only; the weights are in the shards',
        fix: 'Give the model.json written by tensorflowjs_converter',
      });
    }
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (cause instanceof GraftError) throw cause;
    throw loadError(`No ${jsonName} in the model directory`, file, {
      cause,
      fix: 'Give the directory that holds model.json and its weight shards (a TensorFlow.js layers model)',
    });
  }
  return parseModelJson(text, file);
}

async function locateShard(dir: string, root: string, manifestPath: string, jsonName: string): Promise<{ real: string; size: number }> {
  const file = join(dir, ...safeRelativePath(manifestPath, join(dir, jsonName)));
  let real: string;
  let size: number;
  try {
    real = await realpath(file);
    const info = await stat(real);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
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
  return { real, size };
}
