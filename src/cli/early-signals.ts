/**
 * The first module the command loads. Loading the rest takes seconds on a busy host (express,
 * bull-board, BullMQ, the rule tables): a SIGTERM or SIGINT then was the default death, exit
 * 143 and nothing said, where the long-running commands promise a clean stop (shutdown.ts).
 * Until `endEarlySignals()` (main() begins), a signal stops the process at once with exit 0
 * and one line on stderr: nothing has been read or taken in yet.
 */
const early = (signal: NodeJS.Signals): void => {
  process.stderr.write(`chorus-flux: ${signal} while starting: stopped before anything was read or taken in\n`);
  process.exit(0);
};

process.once('SIGTERM', early);
process.once('SIGINT', early);

/** The command takes over the signals (its own handlers, or Node's defaults for short commands). */
export function endEarlySignals(): void {
  process.off('SIGTERM', early);
  process.off('SIGINT', early);
}
