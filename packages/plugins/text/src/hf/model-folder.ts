import { GraftError } from '@graft/core';
import type { FileStore, ResourceStore } from '@graft/core';

/**
 * A model folder in the Hugging Face layout (config.json, tokenizer.json, model.safetensors, onnx/model.onnx),
 * wherever it lives: a directory of the environment's files (Node's disk, a page's memory store) or a base URL
 * fetched through the environment's resource store. File names are checked the same way for both: model
 * folders come from the internet, so a name in them must never become a way to read the user's other files.
 */
export interface ModelFolder {
  /** The directory or base URL, for messages. */
  readonly location: string;
  /** The file's bytes; a missing file is a `GRAFT_MODEL_LOAD` that names it. */
  read(name: string): Promise<Uint8Array>;
  /** Whether the folder holds `name` as a file; undefined when the folder cannot tell without fetching (a URL). */
  has(name: string): Promise<boolean | undefined>;
}

/** JSON files of a model folder are small; a larger one is not what the folder claims to hold. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * `name` with `.` and `..` folded, refusing absolute names and any that leave the folder. The check is
 * lexical so it means the same on disk, in memory and under a URL; links are checked by the file store.
 */
export function modelFileName(name: string, location: string): string {
  const parts: string[] = [];
  const escapes = () => new GraftError('GRAFT_MODEL_LOAD', { what: `The file name "${name}" points outside the model directory`, where: location });
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-z][a-z0-9+.-]*:/i.test(name)) throw escapes();
  for (const part of name.split(/[/\\]/)) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) throw escapes();
  }
  if (parts.length === 0) throw escapes();
  return parts.join('/');
}

const MISSING = new WeakSet<object>();

/** Is `e` the error of a file the folder does not have (rather than one it cannot read)? */
export function isMissingFile(e: unknown): boolean {
  return typeof e === 'object' && e !== null && MISSING.has(e);
}

function missing(name: string, location: string, cause?: unknown): GraftError {
  const error = new GraftError('GRAFT_MODEL_LOAD', {
    what: `The model directory is missing ${name}`,
    where: location,
    fix: 'A BERT directory in the Hugging Face layout needs config.json, tokenizer.json, tokenizer_config.json and model.safetensors or onnx/model.onnx.',
    cause,
  });
  MISSING.add(error);
  return error;
}

/** `folder/name` for messages (a URL folder's location ends with `/`). */
export function fileWhere(folder: ModelFolder, name: string): string {
  return folder.location.endsWith('/') ? `${folder.location}${name}` : `${folder.location}/${name}`;
}

function inside(root: string, path: string): boolean {
  const base = root.replace(/[/\\]+$/, '');
  return path === base || (path.startsWith(base) && (path[base.length] === '/' || path[base.length] === '\\'));
}

/** A model directory of a {@link FileStore}: `ctx.env.files` in a source, Node's file system or a page's memory. */
export function fileModelFolder(files: FileStore, dir: string): ModelFolder {
  const locate = async (name: string): Promise<string> => {
    const path = files.resolve(dir, modelFileName(name, dir));
    if (files.realPath) {
      const [root, real] = await Promise.all([files.realPath(dir), files.realPath(path)]);
      if (root !== undefined && real !== undefined && !inside(root, real)) {
        throw new GraftError('GRAFT_MODEL_LOAD', {
          what: `"${name}" is a link to a file outside the model directory`,
          where: dir,
          fix: 'Copy the file into the model directory instead of linking to it.',
        });
      }
    }
    return path;
  };
  return {
    location: dir,
    async read(name) {
      if ((await files.stat(dir))?.kind !== 'directory') {
        throw new GraftError('GRAFT_MODEL_LOAD', {
          what: `The model directory "${dir}" does not exist`,
          fix: 'Point `path` at a directory in the Hugging Face layout (config.json, tokenizer.json, model.safetensors or onnx/model.onnx).',
        });
      }
      const path = await locate(name);
      if ((await files.stat(path))?.kind !== 'file') throw missing(name, dir);
      const bytes = await files.read(path, name.endsWith('.json') ? { maxBytes: MAX_JSON_BYTES } : undefined);
      if (!bytes) throw missing(name, dir);
      return bytes;
    },
    async has(name) {
      try {
        return (await files.stat(await locate(name)))?.kind === 'file';
      } catch {
        return false;
      }
    },
  };
}

/**
 * A model folder at a base URL (`https://host/models/bert-tiny/`), each file fetched through the
 * environment's {@link ResourceStore}: its cache, and its mirror (`GRAFT_MIRROR` in Node, the page's mirror
 * URL in a browser) standing in for the public host.
 */
export function urlModelFolder(resources: ResourceStore, baseUrl: string): ModelFolder {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    location: base,
    async read(name) {
      const url = new URL(modelFileName(name, base), base).href;
      if (!url.startsWith(base)) throw new GraftError('GRAFT_MODEL_LOAD', { what: `The file name "${name}" points outside the model directory`, where: base });
      try {
        return await resources.get({ url, label: `${name} of the model at ${base}`, ...(name.endsWith('.json') ? { maxBytes: MAX_JSON_BYTES } : {}) });
      } catch (cause) {
        if (cause instanceof GraftError && cause.code === 'GRAFT_DOWNLOAD' && / 404 /.test(cause.message)) throw missing(name, base, cause);
        throw cause;
      }
    },
    async has() {
      return undefined;
    },
  };
}

/** Read and parse a JSON object of the model folder. */
export async function readModelJson(folder: ModelFolder, name: string): Promise<Record<string, unknown>> {
  const bytes = await folder.read(name);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: `${name} is not valid JSON`, where: folder.location, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: `${name} does not hold a JSON object`, where: folder.location });
  }
  return value as Record<string, unknown>;
}
