import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GraftError } from '@graft/core';

/** The largest JSON input the CLI reads (inputs for predict). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Read a JSON file the user named, with a clear error for a missing path, a folder, a huge file or bad JSON. */
export function readJsonFile(file: string, where: string): unknown {
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info) throw new GraftError('GRAFT_USAGE', { what: `No file at ${file}`, where, fix: 'Pass the path of a JSON file' });
  if (info.isDirectory()) throw new GraftError('GRAFT_USAGE', { what: `${file} is a folder, not a file`, where, fix: 'Pass the path of a JSON file' });
  if (info.size > MAX_JSON_BYTES) {
    throw new GraftError('GRAFT_USAGE', { what: `${file} is ${info.size} bytes, over the ${MAX_JSON_BYTES}-byte limit`, where, fix: 'Split the inputs into smaller files' });
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GraftError('GRAFT_USAGE', { what: `${file} is not valid JSON`, where, why: cause instanceof Error ? cause.message : String(cause), fix: 'Fix the JSON syntax', cause });
  }
}

/** Write JSON atomically (temporary file, then rename), creating the folder. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
}
