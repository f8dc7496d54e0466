import type { Command } from 'commander';
import { configJsonSchema, CONTRIBUTION_KINDS, type Registry } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson, table } from '../output.js';

/** The registry the command sees: the first-party plugins, plus a config's own with `-c`. */
async function registryFor(config: string | undefined): Promise<Registry> {
  const runtime = cliRuntime();
  return config ? runtime.registryFor(config) : runtime.registry;
}

type Item = { name: string; description: string; reference?: string };

export function infoCommands(program: Command): void {
  program
    .command('plugins')
    .description('List the loaded plugins and everything they register.')
    .option('-c, --config <file>', 'also load the plugins this config lists')
    .option('--json', 'print as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const registry = await registryFor(opts.config);
      const plugins = registry.plugins.map((meta) => ({
        ...meta,
        ...(Object.fromEntries(
          CONTRIBUTION_KINDS.map((kind) => [
            kind,
            [...(registry[kind] as ReadonlyMap<string, Item>).values()]
              .filter((item) => registry.owners.get(`${kind}:${item.name}`) === meta.name)
              .map((item) => ({ name: item.name, description: item.description, ...(item.reference ? { reference: item.reference } : {}) })),
          ]),
        ) as Record<(typeof CONTRIBUTION_KINDS)[number], Item[]>),
      }));
      if (opts.json) return printJson({ plugins });
      for (const p of plugins) {
        process.stdout.write(`${p.name}@${p.version} (Graft ${p.graft})\n`);
        for (const kind of CONTRIBUTION_KINDS) {
          const items = p[kind];
          if (items.length > 0) process.stdout.write(`  ${kind}:\n${items.map((i) => `    ${i.name.padEnd(28)} ${i.description}`).join('\n')}\n`);
        }
      }
    });

  program
    .command('backends')
    .description('List every backend, whether it is available here (and why not), and what it can do.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { registry } = cliRuntime();
      const rows = [];
      for (const b of [...registry.backends.values()].sort((x, y) => y.priority - x.priority)) {
        const availability = await b.detect();
        rows.push({ name: b.name, description: b.description, priority: b.priority, ...availability, capabilities: b.capabilities() });
      }
      if (opts.json) return printJson({ backends: rows });
      process.stdout.write(
        `${table(
          ['backend', 'available', 'trains conv', 'trains emb', 'device', 'note'],
          rows.map((r) => [r.name, r.available ? 'yes' : 'no', String(r.capabilities.trainsConvolutions), String(r.capabilities.trainsEmbeddings), r.capabilities.device, r.available ? '' : `${r.reason ?? ''} ${r.fix ?? ''}`.trim()]),
        )}\n`,
      );
    });

  program
    .command('schema')
    .description('Print the config’s JSON Schema (for editor completion), covering every loaded plugin.')
    .option('-c, --config <file>', 'also cover the plugins this config lists')
    .action(async (opts: { config?: string }) => printJson(configJsonSchema(await registryFor(opts.config))));
}
