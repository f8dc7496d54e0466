import type { Command } from 'commander';
import { planRun } from '@graft/core';
import { cliRuntime } from '../context.js';
import { printJson, table } from '../output.js';

export function planCommand(program: Command): void {
  program
    .command('plan')
    .description('Dry run: the backend `auto` picks and why, data sizes, and per stage and epoch the groups that train, their learning rates and the weighting. Trains nothing.')
    .requiredOption('-c, --config <file>', 'YAML or JSON config file')
    .option('--json', 'print the plan as one JSON document on stdout')
    .action(async (opts: { config: string; json?: boolean }) => {
      const run = await cliRuntime().load(opts.config);
      const session = await run.open();
      try {
        const report = await planRun(session, run.registry);
        if (opts.json) return printJson(report);
        const out: string[] = [];
        out.push(`Backend: ${report.backend.chosen} (${report.backend.why})`);
        out.push(table(['backend', 'priority', 'available', 'note'], report.backend.candidates.map((c) => [c.name, String(c.priority), c.available ? 'yes' : 'no', c.note ?? ''])));
        out.push('\nData:');
        out.push(table(['tasks', 'train', 'validation', 'test'], report.data.map((d) => [d.tasks.join(', '), String(d.train), String(d.validation ?? '-'), String(d.test ?? '-')])));
        out.push('\nStages:');
        const rows = report.stages.flatMap((s) => s.epochs.map((e) => [String(s.stage), s.name, String(e.epoch), e.groups.map((g) => `${g.name} ${g.lr.toPrecision(3)}`).join(', '), s.weighting]));
        out.push(table(['stage', 'strategy', 'epoch', 'training groups (lr)', 'weighting'], rows));
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        session.dispose();
      }
    });
}
