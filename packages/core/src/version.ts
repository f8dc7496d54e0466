/**
 * This `@graft/core`'s version (plugins declare the range they support in `meta.graft`). A literal, so the
 * browser entry can use it: all Graft packages are versioned together (changesets `fixed`), `npm run release`
 * rewrites this line after `changeset version`, and `version.test.ts` checks it against package.json.
 */
export const GRAFT_VERSION = '0.1.0';
