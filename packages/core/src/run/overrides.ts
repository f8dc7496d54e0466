import { GraftError } from '../errors.js';
import type { FileStore } from '../env/environment.js';

/**
 * What to change in a trained run's stored config when it is opened somewhere else: a checkpoint made in a
 * page names images that lived in the page's memory and a backend the page had; on disk, the same images
 * sit in a folder of class folders.
 */
export interface TrainedRunOverrides {
  /** A folder (or file) the run's dataset reads instead of its stored `data.path`, relative to the working folder. */
  data?: string;
  /** The backend to run on instead of the stored one (`auto` picks the best available). */
  backend?: string;
}

interface StoredTask {
  name?: string;
  data?: Record<string, unknown>;
}

/** The stored config with the overrides applied; `data` needs the tasks' datasets to read one path between them. */
export function applyTrainedRunOverrides(stored: unknown, overrides: TrainedRunOverrides, files: FileStore, cwd: string): unknown {
  if (overrides.backend === undefined && overrides.data === undefined) return stored;
  const config = (stored ?? {}) as Record<string, unknown>;
  let out = config;
  if (overrides.backend !== undefined) out = { ...out, backend: overrides.backend };
  if (overrides.data === undefined) return out;
  const tasks = (Array.isArray(config.tasks) ? config.tasks : []) as StoredTask[];
  const paths = [...new Set(tasks.map((t) => t.data?.path).filter((p): p is string => typeof p === 'string'))];
  const pathless = tasks.filter((t) => typeof t.data?.path !== 'string').map((t) => t.name ?? '?');
  if (paths.length !== 1 || pathless.length > 0) {
    throw new GraftError('GRAFT_USAGE', {
      what: `--data cannot say which dataset to replace: this run's tasks read ${paths.length === 0 ? 'no path' : `${paths.length} paths (${paths.join(', ')})`}${pathless.length > 0 ? ` and tasks ${pathless.join(', ')} read none` : ''}`,
      why: '--data replaces the one folder or file every task of the run reads',
      fix: 'Write a config with the datasets where they are on this machine and pass it with -c, together with --checkpoint',
      where: '--data',
    });
  }
  const path = files.resolve(cwd, overrides.data);
  return { ...out, tasks: tasks.map((t) => ({ ...t, data: { ...t.data, path } })) };
}
