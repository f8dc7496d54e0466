import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraftError } from '../errors.js';
import { GRAFT_VERSION } from '../version.js';

/** Every `@graft/core` copy evaluated in this process, by package folder, shared through a global symbol. */
const COPIES = Symbol.for('graft.core.copies');
const store = globalThis as { [COPIES]?: Map<string, string> };
const copies = (store[COPIES] ??= new Map<string, string>());
/** This copy's package folder (src/ and dist/ of one package are one copy). */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
copies.set(here, GRAFT_VERSION);

/**
 * Refuse to run with two copies of `@graft/core`: plugins would register into one and the run read the
 * other, and tf kernels would be registered twice. Called after the config's plugins are imported.
 */
export function assertSingleCore(): void {
  if (copies.size <= 1) return;
  const others = [...copies].filter(([path]) => path !== here);
  throw new GraftError('GRAFT_CORE_DUPLICATE', {
    what: `Two copies of @graft/core are loaded: ${here} (${GRAFT_VERSION}) and ${others.map(([p, v]) => `${p} (${v})`).join(', ')}`,
    why: 'A plugin brought its own @graft/core, so its registrations, kernels and errors would not be the ones this run uses',
    fix: 'Make @graft/core a peerDependency of the plugin (not a dependency) and run `npm dedupe`; for a plugin linked with `npm link`, delete its node_modules/@graft/core',
  });
}
