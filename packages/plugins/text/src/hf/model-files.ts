import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { GraftError } from '@graft/core';

/**
 * Resolve `name` inside the model directory `dir`, refusing anything that leaves it: `..`, absolute
 * names, or a symbolic link pointing elsewhere. Model directories come from the internet, so a file
 * name in them must never become a way to read the user's other files.
 */
export function modelFilePath(dir: string, name: string): string {
  const root = realpathSync(dir);
  const candidate = resolve(root, name);
  if (isAbsolute(name) || !isInside(root, candidate)) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: `The file name "${name}" points outside the model directory`, where: dir });
  }
  if (existsSync(candidate) && !isInside(root, realpathSync(candidate))) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `"${name}" is a link to a file outside the model directory`,
      where: dir,
      fix: 'Copy the file into the model directory instead of linking to it.',
    });
  }
  return candidate;
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Does the model directory hold `name` (as a regular file inside it)? */
export function hasModelFile(dir: string, name: string): boolean {
  try {
    const p = modelFilePath(dir, name);
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Read `name` from the model directory, with an error that names the missing file. */
export async function readModelFile(dir: string, name: string): Promise<Uint8Array> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The model directory "${dir}" does not exist`,
      fix: 'Point `path` at a directory in the Hugging Face layout (config.json, tokenizer.json, model.safetensors or onnx/model.onnx).',
    });
  }
  const p = modelFilePath(dir, name);
  if (!existsSync(p)) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The model directory is missing ${name}`,
      where: dir,
      fix: 'A BERT directory in the Hugging Face layout needs config.json, tokenizer.json, tokenizer_config.json and model.safetensors or onnx/model.onnx.',
    });
  }
  return new Uint8Array(await readFile(p));
}

/** Read and parse a JSON file of the model directory. */
export async function readModelJson(dir: string, name: string): Promise<Record<string, unknown>> {
  const bytes = await readModelFile(dir, name);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: `${name} is not valid JSON`, where: dir, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: `${name} does not hold a JSON object`, where: dir });
  }
  return value as Record<string, unknown>;
}

/** Write a file atomically (temporary file + rename), so a crash never leaves half a model behind. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
