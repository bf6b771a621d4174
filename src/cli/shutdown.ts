/**
 * Graceful shutdown for the long-running commands. Listening starts before the command does
 * anything, so a SIGTERM or SIGINT is never the default death (exit 143, nothing logged):
 *
 * - before the command has handed over its stop (Redis awaited, say): nothing has been taken
 *   in yet, so the process logs it and exits 0 at once. A command hands its stop over as soon
 *   as it can take work in (`worker`: once its BullMQ workers are made, before the start's
 *   last checks; it did so after them, and a signal meanwhile left a job in hand);
 * - once started: `stop` runs and the process exits 0; past the bound it exits 0 anyway
 *   (outputs are atomic, unfinished work is found again by the rescan), whatever is still
 *   open (a connection retrying a Redis that is down);
 * - a second signal exits at once.
 */
import type { Logger } from 'pino';

/** Once `stop` is done, what it left open (a timer, a socket) is given this long before the process ends anyway. */
const LINGER_MS = 3000;

export class Shutdown {
  private stopFn: ((signal: string) => Promise<void>) | undefined;
  private stopping = false;
  private resolveDone!: (code: number) => void;
  private readonly done = new Promise<number>((resolve) => {
    this.resolveDone = resolve;
  });
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor(
    private readonly logger: Logger,
    /** how long `stop` may take */
    private readonly boundMs: number,
  ) {
    process.on('SIGTERM', this.handler);
    process.on('SIGINT', this.handler);
  }

  /** The command has started: `stop` is what a signal runs now. Resolves with the exit code. */
  started(stop: (signal: string) => Promise<void>): Promise<number> {
    this.stopFn = stop;
    return this.done;
  }

  /** The start failed: signals go back to their default. */
  dispose(): void {
    process.off('SIGTERM', this.handler);
    process.off('SIGINT', this.handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.stopping) {
      this.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(0);
    }
    this.stopping = true;
    const stop = this.stopFn;
    if (!stop) {
      this.logger.info({ signal }, 'stopping before the start finished: nothing was taken in yet, exiting');
      process.exit(0);
    }
    this.logger.info({ signal, boundMs: this.boundMs }, 'stopping');
    const timer = setTimeout(() => {
      this.logger.warn({ boundMs: this.boundMs }, 'shutdown bound reached: exiting');
      process.exit(0);
    }, this.boundMs + 1000);
    stop(signal)
      .catch((e) => this.logger.error({ err: e }, 'error while stopping'))
      .finally(() => {
        clearTimeout(timer);
        setTimeout(() => process.exit(0), LINGER_MS).unref();
        this.resolveDone(0);
      });
  }
}
