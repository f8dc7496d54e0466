import { createRequire } from 'node:module';

/** This `@graft/core`'s version, read from its package.json (plugins declare the range they support in `meta.graft`). */
export const GRAFT_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
