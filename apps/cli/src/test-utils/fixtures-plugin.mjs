// The test fixtures plugin (@graft/testing) as a file a config names by path, as it names a local plugin.
// A JavaScript file, so `graft` imports it as it is: a `.ts` plugin goes through tsx, which compiles and
// loads a fresh copy of its imports on every run (seconds each). Under vitest, `@graft/testing` resolves to
// its sources, the same module the tests import; in the built CLI's child processes, to its build.
export { default } from '@graft/testing';
