import { Command, CommanderError } from 'commander';
import { isGraftError } from '@graft/core';
import { compareCommand } from './commands/compare.js';
import { dataCommand } from './commands/data.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { infoCommands } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';

/** Build the `graft` program. Exposed for tests. */
export function buildProgram(): Command {
  const program = new Command('graft')
    .description('Graft: transfer learning and multi-task learning for TypeScript.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  trainCommand(program);
  compareCommand(program);
  evalCommand(program);
  exportCommand(program);
  predictCommand(program);
  infoCommands(program);
  dataCommand(program);
  return program;
}

/** Run the CLI; resolves to the exit code: 0 success, 1 run failure, 2 usage or config error. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : 2;
    }
    if (isGraftError(error)) {
      process.stderr.write(`\n${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`\nGRAFT_INTERNAL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nThis is a bug in Graft; please report it with the config that caused it.\n`);
    return 1;
  }
}
