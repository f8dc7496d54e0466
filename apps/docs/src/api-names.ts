/**
 * The public API names the hand-written guides use, in one place. Prose writes `%%name%%`; the site's
 * Markdown step replaces it with the value here, so a rename is one edit. `from` says where the name lives:
 * a package's exports, the runtime `createRuntime()` returns (`runtime`), the `graft` CLI (`CLI`), or a package
 * of its own (`npm create graft-plugin`). A test checks that every name is really there today; a name marked
 * `pending` (specified in an issue, not on main yet) is skipped, and the guides mark it with a Check box.
 */
export const API_NAMES = {
  createRuntime: { name: 'createRuntime', from: '@graft/core' },
  cliCreateRuntime: { name: 'createRuntime', from: '@graft/cli' },
  defineConfig: { name: 'defineConfig', from: '@graft/cli' },
  definePlugin: { name: 'definePlugin', from: '@graft/core' },
  packageMeta: { name: 'packageMeta', from: '@graft/core' },
  memoryEnvironment: { name: 'memoryEnvironment', from: '@graft/core' },
  GraftError: { name: 'GraftError', from: '@graft/core' },
  isGraftError: { name: 'isGraftError', from: '@graft/core' },
  firstPartyPlugins: { name: 'firstPartyPlugins', from: '@graft/cli' },
  load: { name: 'load', from: 'runtime' },
  compare: { name: 'compare', from: 'runtime' },
  compareMultitask: { name: 'compareMultitask', from: 'runtime' },
  openTrained: { name: 'openTrained', from: 'runtime' },
  createGraftPlugin: { name: 'create-graft-plugin', from: 'npm create graft-plugin' },
  graftData: { name: 'graft data', from: 'CLI' },
  graftPlan: { name: 'graft plan', from: 'CLI' },
  graftSearch: { name: 'graft search', from: 'CLI' },
  graftWorker: { name: 'graft worker', from: 'CLI' },
} as const satisfies Record<string, { name: string; from: string; pending?: string }>;

export type ApiKey = keyof typeof API_NAMES;

/** Replace every `%%key%%` in Markdown source with its API name; an unknown key is an error, not a blank. */
export function expandApiNames(source: string, file = '<markdown>'): string {
  return source.replace(/%%([A-Za-z]+)%%/g, (_, key: string) => {
    const entry = (API_NAMES as Record<string, { name: string }>)[key];
    if (!entry) throw new Error(`${file}: unknown API name %%${key}%%; add it to apps/docs/src/api-names.ts`);
    return entry.name;
  });
}
