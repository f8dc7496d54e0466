import * as tf from '@tensorflow/tfjs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraftError } from '@graft/core';
import { defaultCacheDir } from './cache-dir.js';
import { directoryHandler } from './directory-handler.js';
import { cacheModel } from './http-cache.js';
import { withInputSize } from './input-size.js';
import { isMirrorUrl, mirrorDirFor, mirrorUrlsFor } from './mirror.js';

export interface ModelLocationOptions {
  /**
   * A folder (relative to `baseDir`) or an http(s) base URL standing in for model URLs (see
   * {@link mirrorDirFor}, {@link mirrorUrlsFor}). @default `GRAFT_MIRROR`, then `GRAFT_MODEL_MIRROR`
   */
  mirror?: string;
  /** Root of the download cache. @default {@link defaultCacheDir} */
  cacheDir?: string;
  /** Relative paths (of the model and of the mirror) are resolved against it. @default process.cwd() */
  baseDir?: string;
  /** Replaces the input layer's spatial size, so the model accepts `[N, size, size, C]`. */
  inputSize?: number;
  /** Where in the config the location came from, for error messages. */
  where?: string;
}

/** A mirror setting: an http(s) URL as it is, a folder resolved against `baseDir`. */
function resolveMirror(mirror: string, baseDir: string): string {
  return isMirrorUrl(mirror) ? mirror : resolve(baseDir, mirror);
}

/** Where a model was read from, for logs and reports. */
export interface ResolvedModel {
  model: tf.LayersModel;
  /** The directory read: the given path, the mirror's copy or the cache's. */
  dir: string;
  via: 'path' | 'mirror' | 'cache';
}

/**
 * Load a tfjs layers model from a directory (or its model.json), a `file:` URL, or an http(s) URL.
 * A URL is served, in order, from the mirror, the cache, or the network (filling the cache).
 */
export async function loadLayersModelFrom(location: string, options: ModelLocationOptions = {}): Promise<ResolvedModel> {
  const baseDir = options.baseDir ?? process.cwd();
  let dir: string;
  let jsonName = 'model.json';
  let via: ResolvedModel['via'];
  if (/^https?:\/\//i.test(location)) {
    const url = new URL(location);
    if (!url.pathname.endsWith('.json')) url.pathname = `${url.pathname.replace(/\/?$/, '/')}model.json`;
    // The option is relative to the config file, the environment variables to the working directory.
    // GRAFT_MIRROR serves data and models; GRAFT_MODEL_MIRROR, its older name, is looked at after it.
    const mirrors = (options.mirror ? [resolveMirror(options.mirror, baseDir)] : [process.env.GRAFT_MIRROR, process.env.GRAFT_MODEL_MIRROR].filter((m): m is string => !!m).map((m) => resolveMirror(m, process.cwd())));
    const cacheRoot = options.cacheDir ?? defaultCacheDir();
    const mirrored = mirrors.filter((m) => !isMirrorUrl(m)).map((m) => mirrorDirFor(url, m)).find((d) => d !== undefined);
    if (mirrored) {
      dir = mirrored;
      via = 'mirror';
    } else {
      const alternatives = () =>
        `It is not in the cache (${cacheRoot}, set by GRAFT_CACHE) and ` +
        (mirrors.length > 0 ? `the mirror ${mirrors.join(' or ')} has no copy of it` : 'no mirror is set (GRAFT_MIRROR)');
      const mirrorUrls = mirrors.filter(isMirrorUrl).flatMap((m) => mirrorUrlsFor(url, m));
      dir = await cacheModel(url, cacheRoot, alternatives, mirrorUrls);
      via = 'cache';
    }
  } else {
    const path = location.startsWith('file:') ? fileURLToPath(location) : location;
    const abs = isAbsolute(path) ? path : resolve(baseDir, path);
    dir = abs.endsWith('.json') ? dirname(abs) : abs;
    jsonName = abs.endsWith('.json') ? basename(abs) : jsonName;
    via = 'path';
  }
  const handler = directoryHandler(dir, jsonName);
  const sized: tf.io.IOHandler = options.inputSize === undefined ? handler : withInputSize(handler, options.inputSize);
  try {
    const model = await tf.loadLayersModel(sized);
    return { model, dir, via };
  } catch (cause) {
    if (cause instanceof GraftError) throw cause;
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: 'TensorFlow.js could not build the layers model',
      where: options.where ? `${options.where} (${dir})` : dir,
      why: (cause as Error)?.message,
      fix: 'Check that model.json is a Keras/TensorFlow.js layers model whose weights match its layers',
      cause,
    });
  }
}
