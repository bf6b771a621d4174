/**
 * An option that takes one value, given twice (`run --out /srv/a … --out /srv/b`): commander
 * keeps the last without a word, and an operator who pasted two command lines together sends
 * a day's outputs to a folder they did not mean. Refused instead, naming both values, before
 * anything runs (exit 2, as any bad usage).
 */
import type { Command, Option } from 'commander';

/** The value-taking option given more than once among `args` (the command's own arguments), with its values. */
export function repeatedOption(options: readonly Option[], args: readonly string[]): { option: Option; values: string[] } | undefined {
  const seen = new Map<Option, string[]>();
  const note = (option: Option | undefined, value: string): void => {
    if (!option || !(option.required || option.optional) || option.variadic) return;
    seen.set(option, [...(seen.get(option) ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const option = options.find((o) => o.long === (eq > 0 ? arg.slice(0, eq) : arg));
      if (!option) continue;
      if (eq > 0) note(option, arg.slice(eq + 1));
      else if (option.required || option.optional) note(option, args[++i] ?? '');
    } else if (/^-[^-]/.test(arg)) {
      // a cluster of short flags (-qv), the first value-taking one ending it (-o/srv/out, -c cfg)
      for (let k = 1; k < arg.length; k++) {
        const option = options.find((o) => o.short === `-${arg[k]}`);
        if (!option) break;
        if (option.required || option.optional) {
          note(option, k + 1 < arg.length ? arg.slice(k + 1) : (args[++i] ?? ''));
          break;
        }
      }
    }
  }
  for (const [option, values] of seen) if (values.length > 1) return { option, values };
  return undefined;
}

/** The args of `command` as typed: what follows its name on the command line. */
function ownArgs(program: Command, command: Command): string[] {
  const raw = (program as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const args = raw.slice(2);
  const at = args.indexOf(command.name());
  return at < 0 ? [] : args.slice(at + 1);
}

/** A preAction hook for `program` refusing an option given twice. */
export function refuseRepeatedOptions(program: Command): void {
  program.hook('preAction', (_root, command) => {
    const found = repeatedOption(command.options, ownArgs(program, command));
    if (!found) return;
    const values = found.values.map((v) => `'${v}'`).join(', then ');
    command.error(`error: option '${found.option.flags}' given ${found.values.length} times (${values}): give it once`, { exitCode: 2, code: 'chorus-flux.repeatedOption' });
  });
}
