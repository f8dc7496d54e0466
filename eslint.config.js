import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One lint configuration for the monorepo (flat config). */
export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/runs/**', '.nx/**', 'apps/docs/content/.vitepress/cache/**', 'apps/docs/content/.vitepress/.temp/**', 'apps/docs/site/**', 'apps/docs/test-output/**', 'apps/studio/test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Scripts and benchmarks run in Node.
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
