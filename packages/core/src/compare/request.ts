import { runDir, type ConfigFile } from '../config/load.js';
import type { Runtime } from '../runtime.js';
import { compareStrategies, type CompareOptions, type CompareResult } from './compare.js';
import { compareMultitask, type MultitaskCompareOptions, type MultitaskRow } from './multitask.js';

/** A comparison as a caller asks for it: anything left out comes from the config's `compare` section. */
export type CompareRequest = Partial<Omit<CompareOptions, 'dir'>> & {
  /** Where results and runs go. @default the config's run folder (`runs/<name>`) */
  dir?: string;
};

export type MultitaskCompareRequest = Partial<Omit<MultitaskCompareOptions, 'dir'>> & {
  /** Where results and runs go. @default the config's run folder (`runs/<name>`) */
  dir?: string;
};

/** Compare strategies (and sources) with the config's `compare` defaults filling what the request leaves out. */
export async function compareConfig(runtime: Runtime, file: ConfigFile, request: CompareRequest = {}): Promise<{ dir: string; results: CompareResult[] }> {
  const settings = file.structure.compare;
  const dir = request.dir ?? runDir(file);
  const results = await compareStrategies(runtime, file, {
    ...request,
    entries: request.entries ?? settings.strategies,
    sources: request.sources ?? (settings.sources ? Object.keys(settings.sources) : undefined),
    seeds: request.seeds ?? settings.seeds,
    folds: request.folds ?? settings.folds,
    perClass: request.perClass ?? settings.perClass,
    dir,
  });
  return { dir, results };
}

/** Multi-task learning against its alternatives, with the config's `compare` defaults. */
export async function compareMultitaskConfig(runtime: Runtime, file: ConfigFile, request: MultitaskCompareRequest = {}): Promise<{ dir: string; rows: MultitaskRow[] }> {
  const settings = file.structure.compare;
  const dir = request.dir ?? runDir(file);
  const rows = await compareMultitask(runtime, file, {
    ...request,
    weightings: request.weightings ?? settings.weightings,
    seeds: request.seeds ?? settings.seeds,
    perClass: request.perClass ?? settings.perClass?.[0],
    dir,
  });
  return { dir, rows };
}
