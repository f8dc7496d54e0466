import type { Backend } from '../backend.js';
import type { ComparePreset } from '../compare/presets.js';
import type { DatasetProvider } from '../data/examples.js';
import type { Exporter } from '../run/exporter.js';
import type { PretrainedSource } from '../source.js';
import type { Strategy } from '../strategy.js';
import type { TaskType } from '../task.js';
import type { Weighting } from '../weighting.js';

/** The plugin API this version of Graft implements. A plugin declares the one it targets in `meta.api`. */
export const PLUGIN_API_VERSION = 1;

export interface PluginMeta {
  /** The plugin's name, usually its npm package name. */
  name: string;
  version: string;
  /** The plugin API version it was written for; must equal {@link PLUGIN_API_VERSION}. */
  api: number;
}

/** Everything a plugin contributes. Names must be unique across all loaded plugins. */
export interface GraftPlugin {
  meta: PluginMeta;
  sources?: PretrainedSource[];
  strategies?: Strategy[];
  backends?: Backend[];
  /** Task kinds (`classification`, `regression`, ...). */
  tasks?: TaskType[];
  datasets?: DatasetProvider[];
  /** Multi-task weightings (`equal`, `uncertainty`, `pcgrad`, ...). */
  weightings?: Weighting[];
  /** Export formats for trained runs (`onnx`, `tfjs-layers`, ...): `graft export --format`. */
  exporters?: Exporter[];
  /** Named stage lists `graft compare --strategies` accepts (`gradual+discr+stlr`, `lp-ft`, ...). */
  comparePresets?: ComparePreset[];
}

/** A list of plugins may hold falsy entries, so users can write `cond && plugin`. */
export type PluginList = ReadonlyArray<GraftPlugin | false | null | undefined>;

/** Identity with types: `export default definePlugin({ meta: { name, version, api: 1 }, ... })`. */
export function definePlugin<const P extends GraftPlugin>(plugin: P): P {
  return plugin;
}

/** The kinds of things a plugin can register, with the config key that names them. */
export const CONTRIBUTION_KINDS = [
  'sources',
  'strategies',
  'backends',
  'tasks',
  'datasets',
  'weightings',
  'exporters',
  'comparePresets',
] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];
