/**
 * `chorus-flux help frob`: commander prints the general help on stderr and exits, without
 * saying why — an operator who mistyped `help reconcle` reads the whole list looking for
 * what went wrong. Said first, in the words commander uses for `chorus-flux frob`.
 */
import type { Command } from 'commander';

/** The line to print before the help when `args` (after the script) ask help on a command that does not exist. */
export function unknownHelpTopic(program: Command, args: readonly string[]): string | undefined {
  if (args[0] !== 'help' || args.length < 2) return undefined;
  const topic = args[1];
  if (topic.startsWith('-')) return undefined;
  const known = program.commands.some((c) => c.name() === topic || c.aliases().includes(topic));
  return known ? undefined : `error: unknown command '${topic}'\n`;
}
