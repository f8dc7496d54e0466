import { ERROR_DOCS } from '@graft/core';
import { page } from '../markdown.js';

/** The anchor of an error code: `GRAFT_CONFIG_INVALID` → `graft-config-invalid`. */
export function errorAnchor(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}

/** One entry per error code, from core's error table (what, why, what to do). */
export function errorsPage(docs: Readonly<Record<string, { title: string; when: string; fix: string }>> = ERROR_DOCS): string {
  const codes = Object.keys(docs).sort();
  const entries = codes
    .map((c) => {
      const d = docs[c]!;
      return `## ${c} {#${errorAnchor(c)}}\n\n**${d.title}.**\n\n**When:** ${d.when}\n\n**What to do:** ${d.fix}`;
    })
    .join('\n\n');
  return page(
    'Error codes',
    `Every error Graft raises on purpose carries a stable code, says what happened, why, what to do and where
(file and config path). User mistakes exit with status 2. The message itself is the first place to look; this
page says when each code appears and what usually fixes it.

${codes.map((c) => `[${c}](#${errorAnchor(c)})`).join(' · ')}

${entries}`,
    'packages/core/src/error-docs.ts (ERROR_DOCS)',
  );
}
