import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';
import { expandApiNames } from '../../src/api-names.js';

const content = fileURLToPath(new URL('..', import.meta.url));

/** Sidebar entries for a generated folder: whatever pages the generator wrote there this time. */
function generated(dir: string, title: (name: string) => string): DefaultTheme.SidebarItem[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(`${content}${rel}`, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('_')) walk(`${rel}/${e.name}`);
      else if (e.name.endsWith('.md') && e.name !== 'index.md') files.push(`${rel}/${e.name.slice(0, -3)}`);
    }
  };
  try {
    walk(dir);
  } catch {
    return [];
  }
  return files.sort().map((link) => ({ text: title(link.slice(dir.length + 1)), link: `/${link}` }));
}

/** The npm name of the package an API page documents (`plugins/text/src` → `@graft/text`). */
function packageName(page: string): string {
  try {
    const json = readFileSync(new URL(`../../../../packages/${page.replace(/\/src$/, '')}/package.json`, import.meta.url), 'utf8');
    return (JSON.parse(json) as { name: string }).name;
  } catch {
    return page;
  }
}

const titles: Record<string, string> = {
  'stage-options': 'Stage options',
  strategies: 'Strategies',
  sources: 'Sources',
  datasets: 'Datasets',
  tasks: 'Task types',
  weightings: 'Weightings',
  backends: 'Backends',
  cli: 'CLI',
  errors: 'Error codes',
  'config-schema': 'Config JSON Schema',
};

export default defineConfig({
  title: 'Graft',
  description: 'Transfer learning and multi-task learning for TypeScript',
  outDir: '../site',
  srcExclude: ['_generated/**'],
  lastUpdated: false,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  cleanUrls: false,
  markdown: {
    config(md) {
      md.core.ruler.before('normalize', 'graft-api-names', (state) => {
        state.src = expandApiNames(state.src, String((state.env as { relativePath?: string }).relativePath ?? ''));
      });
    },
  },
  themeConfig: {
    nav: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Concepts', link: '/concepts/' },
      { text: 'Guides', link: '/guides/' },
      { text: 'Reference', link: '/reference/' },
      { text: 'API', link: '/api/' },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    sidebar: {
      '/reference/': [{ text: 'Reference', link: '/reference/', items: generated('reference', (n) => titles[n] ?? n) }],
      '/api/': [{ text: 'API', link: '/api/', items: generated('api', packageName) }],
      '/': [
        { text: 'Start', items: [{ text: 'Getting started', link: '/getting-started' }] },
        {
          text: 'Concepts',
          link: '/concepts/',
          items: [
            { text: 'Transfer and multi-task learning', link: '/concepts/transfer-and-multitask' },
            { text: 'Fine-tuning practices', link: '/concepts/practices' },
            { text: 'What the measurements say', link: '/concepts/measured' },
          ],
        },
        {
          text: 'Guides',
          link: '/guides/',
          items: [
            { text: 'Compose stages', link: '/guides/compose-stages' },
            { text: 'Multi-task and weightings', link: '/guides/multitask' },
            { text: 'Text and BERT', link: '/guides/text-and-bert' },
            { text: 'Your own model as a source', link: '/guides/own-source' },
            { text: 'Backends', link: '/guides/backends' },
            { text: 'Exporting and serving', link: '/guides/export-and-serve' },
            { text: 'Writing a plugin', link: '/guides/plugins' },
            { text: 'Programmatic use', link: '/guides/programmatic' },
          ],
        },
        { text: 'Benchmarks', link: '/benchmarks' },
      ],
    },
  },
});
