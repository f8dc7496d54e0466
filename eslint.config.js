import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One lint configuration for the monorepo (flat config). */
export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/runs/**', '.nx/**', 'apps/docs/.vitepress/cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
