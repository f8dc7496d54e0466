import { nodeEnvironment, silentLogger, type SourceContext } from '@graft/core';

/** A source context for tests: no nested sources, silent logging. */
export function sourceContext(seed = 0): SourceContext {
  return {
    configDir: '/',
    seed,
    log: silentLogger,
    env: nodeEnvironment(),
    where: 'source',
    loadSource: () => Promise.reject(new Error('these tests load no nested sources')),
  };
}
