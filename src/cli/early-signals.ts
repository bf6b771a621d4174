/**
 * The first module the command loads. Loading the rest takes seconds on a busy host (express,
 * bull-board, BullMQ, the rule tables): a SIGTERM or SIGINT then was the default death, exit
 * 143 and nothing said, where the long-running commands promise a clean stop (shutdown.ts).
 * Until the command has taken over, a signal stops the process at once with exit 0 and one
 * line on stderr: nothing has been read or taken in yet.
 *
 * A signal that comes while the modules load (the event loop blocked) is only delivered on the
 * loop's first turn: the listener stays until then, or the signal was dropped with it and `run`
 * went on to the end of its inbox. By then a command that listens itself (run, watch, worker)
 * has its own handler, which takes the signal instead.
 */
const early = (signal: NodeJS.Signals): void => {
  if (process.listenerCount(signal) > 1) return; // the command's own handler has it
  process.stderr.write(`chorus-flux: ${signal} while starting: stopped before anything was read or taken in\n`);
  process.exit(0);
};

process.on('SIGTERM', early);
process.on('SIGINT', early);

/** The command takes over the signals (its own handlers, or Node's defaults for short commands) once the loop has turned. */
export function endEarlySignals(): void {
  setImmediate(() => {
    process.off('SIGTERM', early);
    process.off('SIGINT', early);
  });
}
