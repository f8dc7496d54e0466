import type { Command } from 'commander';
import { defaultCacheDir, didYouMean, GraftError, mirrorFromEnv, nodeEnvironment, type DatasetProvider, type Resource } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson, table } from '../output.js';

/** The datasets that download public files, by name. */
function publicDatasets(): Map<string, DatasetProvider> {
  const datasets = [...cliRuntime().registry.datasets.values()].filter((d) => d.files);
  return new Map(datasets.map((d) => [d.name, d]));
}

/** `graft data ls` and `graft data fetch`: what the cache holds, and filling it ahead of an offline run. */
export function dataCommand(program: Command): void {
  const data = program.command('data').description('Public dataset files: what is cached where, and fetching them ahead of time.');

  data
    .command('ls')
    .description('List every public dataset file: cached (where, how big) or not, and its URL.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { resources } = nodeEnvironment();
      const rows = [];
      for (const d of publicDatasets().values()) {
        for (const file of d.files!()) {
          const cached = await resources.cached(file);
          rows.push({ dataset: d.name, file: fileName(file), url: file.url, cached: cached !== undefined, location: cached?.location, bytes: cached?.bytes });
        }
      }
      const where = { cache: defaultCacheDir(), mirror: mirrorFromEnv() ?? null };
      const local = [...cliRuntime().registry.datasets.values()].filter((d) => !d.files && d.localData).map((d) => ({ dataset: d.name, reads: d.localData! }));
      if (opts.json) return printJson({ ...where, files: rows, local });
      process.stdout.write(`Cache: ${where.cache} (GRAFT_CACHE)   Mirror: ${where.mirror ?? 'none (GRAFT_MIRROR)'}\n\n`);
      process.stdout.write(
        `${table(
          ['dataset', 'file', 'size', 'where'],
          rows.map((r) => [r.dataset, r.file, r.cached ? size(r.bytes!) : '-', r.location ?? `not here: ${r.url}`]),
        )}\n`,
      );
      if (local.length > 0) process.stdout.write(`\nRead from this machine, not downloaded:\n${local.map((l) => `  ${l.dataset}: ${l.reads}`).join('\n')}\n`);
    });

  data
    .command('fetch')
    .description('Download (or find) the public files of datasets into the cache, checked against their pinned sha256.')
    .argument('[names...]', 'datasets to fetch (see `graft data ls`)')
    .option('--all', 'every dataset with public files')
    .action(async (names: string[], opts: { all?: boolean }) => {
      const known = publicDatasets();
      if (!opts.all && names.length === 0) {
        throw new GraftError('GRAFT_USAGE', { what: 'Name the datasets to fetch, or pass --all', choices: [...known.keys()] });
      }
      const chosen = opts.all ? [...known.values()] : names.map((name) => known.get(name) ?? unknown(name, known));
      const { resources } = nodeEnvironment();
      for (const d of chosen) {
        for (const file of d.files!()) {
          await resources.get(file);
          const at = await resources.cached(file);
          process.stdout.write(`${d.name}  ${fileName(file)}  ${at ? at.location : `verified (${mirrorFromEnv()})`}\n`);
        }
      }
    });
}

function unknown(name: string, known: Map<string, DatasetProvider>): never {
  const choices = [...known.keys()];
  const guess = didYouMean(name, choices);
  throw new GraftError('GRAFT_UNKNOWN_DATASET', {
    what: `No dataset "${name}" with public files`,
    choices,
    fix: guess ? `Did you mean "${guess}"?` : 'Run `graft data ls` for the list',
  });
}

function size(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function fileName(file: Resource): string {
  return new URL(file.url).pathname.split('/').pop() ?? file.url;
}
