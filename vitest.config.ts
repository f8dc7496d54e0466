import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

/**
 * One vitest configuration for the whole monorepo. Packages resolve each other through the
 * `@graft/source` export condition, so tests run against `src/` without a build.
 */
export default defineConfig({
  resolve: { conditions: ['@graft/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@graft/source', ...defaultServerConditions] } },
  test: {
    include: ['packages/**/src/**/*.test.ts', 'apps/**/src/**/*.test.ts', 'scripts/release/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
    typecheck: { enabled: true, include: ['packages/**/src/**/*.test-d.ts'], tsconfig: './tsconfig.typetests.json' },
  },
});
