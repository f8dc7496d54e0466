import type { Contributions, ContributionKind, PluginMeta } from './define.js';

/** Everything registered by the loaded plugins, by kind and name. Built by the runtime; read-only for the rest. */
export type Registry = {
  plugins: readonly PluginMeta[];
  /** Which plugin registered each name, keyed `kind:name`. */
  owners: ReadonlyMap<string, string>;
} & { readonly [K in ContributionKind]: ReadonlyMap<string, Contributions[K]> };
