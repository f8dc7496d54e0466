import type { Command } from 'commander';
import { fence, page, slug } from '../markdown.js';

/** Every command with its full name (`graft compare`, `graft data ls`), depth first. */
export function commands(program: Command, prefix = program.name()): { name: string; command: Command }[] {
  return program.commands.flatMap((c) => {
    const name = `${prefix} ${c.name()}`;
    return [{ name, command: c }, ...commands(c, name)];
  });
}

/** The anchor of a command on the CLI page: `graft compare` → `graft-compare`. */
export function commandAnchor(name: string): string {
  return slug(name);
}

/** The help of the program and of every command, as the CLI prints it. */
export function cliPage(program: Command): string {
  const list = commands(program);
  const index = list.map(({ name, command }) => `- [\`${name}\`](#${commandAnchor(name)}) — ${command.description()}`).join('\n');
  const sections = list.map(({ name, command }) => `## \`${name}\` {#${commandAnchor(name)}}\n\n${fence('text', command.helpInformation())}`).join('\n\n');
  return page(
    'CLI',
    `The \`graft\` command is argument parsing over the runtime. Exit codes: 0 success, 1 the run failed, 2 usage or config error.

${fence('text', program.helpInformation())}

${index}

${sections}`,
    'the CLI\'s own help',
  );
}
