import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GraftError } from '../errors.js';
import { fromObject, type ConfigFile } from './load.js';
import { checkConfigBounds, CONFIG_LIMITS } from './read-limits.js';

/** Read and parse a YAML or JSON config file and check its structure. */
export function readConfigFile(file: string): ConfigFile {
  const path = resolve(file);
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) {
    throw new GraftError('GRAFT_CONFIG_NOT_FOUND', {
      what: `Config file "${file}" does not exist`,
      fix: 'Pass the path of a YAML or JSON config with -c; the examples/ folder has some to start from',
    });
  }
  if (info.isDirectory()) {
    throw new GraftError('GRAFT_CONFIG_NOT_FOUND', {
      what: `"${file}" is a folder, not a config file`,
      fix: `Pass the config file itself with -c (e.g. ${file.replace(/\/+$/, '')}/graft.yaml)`,
    });
  }
  checkConfigBounds('', file, info.size);
  const text = readFileSync(path, 'utf8');
  checkConfigBounds(text, file, info.size);
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: CONFIG_LIMITS.maxAliases });
  } catch (cause) {
    throw new GraftError('GRAFT_CONFIG_PARSE', {
      what: `${file} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}`,
      why: cause instanceof Error ? cause.message.split('\n')[0] : String(cause),
      fix: 'Fix the syntax at the position above',
      cause,
    });
  }
  return fromObject(raw, file, dirname(path));
}

