import type * as tf from '@tensorflow/tfjs';
import { GraftError } from '@graft/core';

/** A parsed, checked `model.json` of a tfjs layers model. */
export interface LayersModelJson extends tf.io.ModelJSON {
  weightsManifest: tf.io.WeightsManifestConfig;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * The most weight bytes a layers model may declare. tfjs concatenates all shards into one ArrayBuffer, and
 * Node caps a buffer read from disk at 2 GiB; a manifest asking for more is refused before any shard is read.
 */
export const MAX_WEIGHT_BYTES = 2 ** 31 - 1;

/** The largest model.json read or downloaded; real ones are kilobytes to a few megabytes. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Parse and check the text of a `model.json`: it must be a tfjs *layers* model whose weights manifest
 * lists only safe relative paths. `file` names the file in error messages.
 */
export function parseModelJson(text: string, file: string): LayersModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw loadError('The model file is not valid JSON', file, { cause, fix: 'Re-download the model; the file may be truncated.' });
  }
  if (!isObject(json) || !isObject(json.modelTopology)) {
    throw loadError('The model file has no "modelTopology" object', file, {
      why: 'A TensorFlow.js layers model.json holds the Keras topology under "modelTopology"',
      fix: 'Point Graft at the model.json written by tensorflowjs_converter (--output_format tfjs_layers_model)',
    });
  }
  if (json.format === 'graph-model' || 'node' in json.modelTopology) {
    throw loadError('The model file is a TensorFlow.js graph model, not a layers model', file, {
      why: 'Graph models have no layers, so they cannot be cut, frozen by group or fine-tuned',
      fix: 'Convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model',
    });
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) {
    throw loadError('The model file has no "weightsManifest" array', file, { fix: 'Re-download or re-convert the model.' });
  }
  const seen = new Set<string>();
  let total = 0;
  manifest.forEach((group, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || group.paths.length === 0) {
      throw loadError(`weightsManifest[${g}] needs non-empty "paths" and a "weights" list`, file);
    }
    for (const p of group.paths) {
      // A shard listed twice would be read (and downloaded) twice and its bytes counted twice.
      const key = safeRelativePath(p, file).join('/');
      if (seen.has(key)) {
        throw loadError(`The weights manifest lists the shard "${key}" twice`, file, {
          why: 'Each shard holds distinct bytes of the weights; tensorflowjs_converter never repeats one',
          fix: 'Re-convert the model or fix weightsManifest by hand',
        });
      }
      seen.add(key);
    }
    group.weights.forEach((w: unknown, i: number) => {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
        throw loadError(`weightsManifest[${g}].weights[${i}] needs a name, a shape and a dtype`, file);
      }
      total += weightBytes(w as unknown as tf.io.WeightsManifestEntry, file);
    });
  });
  if (total > MAX_WEIGHT_BYTES) {
    throw loadError(`The weights manifest says the weights need ${total} bytes, more than the ${MAX_WEIGHT_BYTES}-byte cap`, file, {
      why: 'TensorFlow.js holds all weights of a layers model in one buffer of at most 2 GiB',
      fix: 'Use a smaller model, or check that the shapes in model.json are right',
    });
  }
  return json as unknown as LayersModelJson;
}

/** Bytes a weights group occupies in its shards, from the shapes and dtypes of its weights. */
export function groupBytes(group: tf.io.WeightsManifestConfig[number], file: string): number {
  return group.weights.reduce((sum, w) => sum + weightBytes(w, file), 0);
}

function weightBytes(w: tf.io.WeightsManifestEntry, file: string): number {
  const count = w.shape.reduce((a, b) => a * (Number.isSafeInteger(b) && b >= 0 ? b : NaN), 1);
  const per = w.quantization ? QUANTIZED_BYTES[w.quantization.dtype] : DTYPE_BYTES[w.dtype];
  if (per === undefined || !Number.isInteger(count) || count < 0) {
    throw loadError(`Weight "${w.name}" has an unsupported dtype or shape`, file, {
      choices: Object.keys(DTYPE_BYTES),
    });
  }
  return count * per;
}

/**
 * The path segments of a manifest path, refusing anything that could leave the model's directory
 * (absolute paths, `..`, URL schemes, backslashes, percent-encoded dots), so that no file outside the
 * model directory and no other host is ever read.
 */
export function safeRelativePath(p: unknown, file: string): string[] {
  const refuse = (why: string) =>
    loadError(`The weights manifest lists the path ${JSON.stringify(p)}, which Graft refuses to read`, file, {
      why,
      fix: 'Weight shards must be plain relative paths inside the model directory, as tensorflowjs_converter writes them',
    });
  if (typeof p !== 'string' || p.length === 0) throw refuse('It is not a non-empty string');
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/') || p.startsWith('//')) throw refuse('It is absolute or names another location');
  if (p.includes('\\') || p.includes('\0') || p.includes('%')) throw refuse('It contains a backslash, a NUL or a percent escape');
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..')) throw refuse('It escapes the model directory');
  return segments;
}

export function loadError(
  what: string,
  where: string,
  extra: { why?: string; fix?: string; cause?: unknown; choices?: string[] } = {},
): GraftError {
  return new GraftError('GRAFT_MODEL_LOAD', { what, where, ...extra });
}

function isObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
