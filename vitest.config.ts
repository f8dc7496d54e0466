import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defaultServerConditions } from 'vite';

/**
 * The slowest test files, started first (in this order) so that the last file to finish is a short one and
 * both workers of a 2-core CI machine stay busy to the end. Vitest orders by the durations it cached from
 * the last run, which a fresh clone does not have; without them it would start the largest files first.
 */
const SLOWEST_FIRST = [
  'scripts/release/install.test.ts',
  'apps/docs/src/site.test.ts',
  'packages/plugins/vision/src/onnx/onnx-parity.test.ts',
  'apps/studio/src/studio.test.ts',
  'apps/cli/src/search-queue.test.ts',
  'apps/cli/src/search.test.ts',
  'packages/plugins/vision/src/contrastive/contrastive.test.ts',
  'packages/plugins/vision/src/onnx/onnx-wasm.test.ts',
  'apps/cli/src/cli.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.findIndex((path) => f.moduleId.endsWith(path));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    // A stable sort: the files not listed keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // Vitest's default keeps a core for its own process (one worker on 2 cores), which only waits while the
    // workers test: use every core, at least two.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowestFirst },
    reporters: ['default', './scripts/summary-reporter.ts'],
    typecheck: { enabled: true, include: ['packages/**/src/**/*.test-d.ts'], tsconfig: './tsconfig.typetests.json' },
  },
});
