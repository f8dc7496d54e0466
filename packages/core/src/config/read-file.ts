import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GraftError } from '../errors.js';
import { fromObject, type ConfigFile } from './load.js';

/** Read and parse a YAML or JSON config file and check its structure. */
export function readConfigFile(file: string): ConfigFile {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new GraftError('GRAFT_CONFIG_NOT_FOUND', {
      what: `Config file "${file}" does not exist`,
      fix: 'Pass the path of a YAML or JSON config with -c; the examples/ folder has some to start from',
    });
  }
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
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
