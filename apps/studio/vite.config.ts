import { defineConfig } from 'vite';

/**
 * Workspace packages resolve to their TypeScript sources (`@graft/source`) and to their browser entries
 * (`browser`, Vite's default for a page), so the page bundles no `node:` module.
 */
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['@graft/source', 'browser', 'module', 'import', 'default'] },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
});
