/**
 * The public API names the hand-written guides use, in one place. Prose writes `%%name%%`; the site's
 * Markdown step replaces it with the value here, so a rename is one edit. `pending` names are specified in
 * issues #10/#12 and may not be on main yet: the guides mark them, and a test checks that every name not
 * pending is really exported today.
 */
export const API_NAMES = {
  createRuntime: { name: 'createRuntime', from: '@graft/core' },
  load: { name: 'load', from: '@graft/core' },
  definePlugin: { name: 'definePlugin', from: '@graft/core' },
  GraftError: { name: 'GraftError', from: '@graft/core' },
  isGraftError: { name: 'isGraftError', from: '@graft/core' },
  compareStrategies: { name: 'compareStrategies', from: '@graft/core' },
  firstPartyPlugins: { name: 'firstPartyPlugins', from: '@graft/cli' },
  defineConfig: { name: 'defineConfig', from: '@graft/core', pending: 'issue #10' },
  openTrained: { name: 'openTrained', from: '@graft/core', pending: 'issue #12' },
  createGraftPlugin: { name: 'create-graft-plugin', from: 'npm create graft-plugin', pending: 'issue #10' },
  graftData: { name: 'graft data', from: 'CLI', pending: 'issue #10' },
  graftPlan: { name: 'graft plan', from: 'CLI', pending: 'issue #12' },
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
