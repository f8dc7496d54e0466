import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { expandApiNames } from './api-names.js';

/** A YAML config shown in a hand-written page. */
export interface DocConfig {
  /** Page and line, for messages. */
  where: string;
  /** The parsed YAML. */
  value: Record<string, unknown>;
  /** Marked `<!-- docs:run -->` on the line before its fence: short enough to train in the tests. */
  run: boolean;
}

/** The hand-written Markdown pages under `content` (generated folders and `.vitepress` left out). */
export function handWrittenPages(content: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !['reference', '_generated', 'api', '.vitepress'].includes(e.name)) walk(join(dir, e.name));
      else if (e.isFile() && e.name.endsWith('.md')) out.push(join(dir, e.name));
    }
  };
  walk(content);
  return out.sort();
}

/** Every fenced YAML block that holds `stages:` (a config or a part of one), from every hand-written page. */
export function docConfigs(content: string): DocConfig[] {
  return handWrittenPages(content).flatMap((file) => {
    const lines = expandApiNames(readFileSync(file, 'utf8'), file).split('\n');
    const found: DocConfig[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!/^```ya?ml\b/.test(lines[i]!)) continue;
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
      const text = lines.slice(i + 1, end).join('\n');
      if (/^stages:/m.test(text)) {
        const prev = lines.slice(0, i).reverse().find((l) => l.trim() !== '');
        found.push({ where: `${relative(content, file)}:${i + 1}`, value: parseYaml(text) as Record<string, unknown>, run: prev?.trim() === '<!-- docs:run -->' });
      }
      i = end;
    }
    return found;
  });
}
