import { configJsonSchema, type Registry } from '@graft/core';
import { fence, page } from '../markdown.js';

/** The config's JSON Schema, as `graft schema` prints it. */
export function schemaPage(registry: Registry): string {
  return page(
    'Config JSON Schema',
    `What \`graft schema > graft.schema.json\` prints for the plugins the \`graft\` command loads. Point your editor
at it for completion and checking, e.g. in VS Code's YAML extension with
\`# yaml-language-server: $schema=./graft.schema.json\` on the config's first line.

${fence('json', JSON.stringify(configJsonSchema(registry), null, 2))}`,
    'the config schema',
  );
}
