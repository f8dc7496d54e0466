import type { Backend } from '../backend.js';
import type { ComparePreset } from '../compare/presets.js';
import type { Exporter } from '../run/exporter.js';
import type { DatasetProvider } from '../data/examples.js';
import type { PretrainedSource } from '../source.js';
import type { Strategy } from '../strategy.js';
import type { TaskType } from '../task.js';
import type { Weighting } from '../weighting.js';
import type { PluginMeta } from './define.js';

/** Everything registered by the loaded plugins, by name. Built by the runtime; read-only for the rest. */
export interface Registry {
  plugins: readonly PluginMeta[];
  sources: ReadonlyMap<string, PretrainedSource>;
  strategies: ReadonlyMap<string, Strategy>;
  backends: ReadonlyMap<string, Backend>;
  tasks: ReadonlyMap<string, TaskType>;
  datasets: ReadonlyMap<string, DatasetProvider>;
  weightings: ReadonlyMap<string, Weighting>;
  exporters: ReadonlyMap<string, Exporter>;
  comparePresets: ReadonlyMap<string, ComparePreset>;
  /** Which plugin registered each name, per kind. */
  owners: ReadonlyMap<string, string>;
}
