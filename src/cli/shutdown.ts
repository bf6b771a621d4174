/**
 * Graceful shutdown for the long-running commands. Listening starts before the command does
 * anything, so a SIGTERM or SIGINT is never the default death (exit 143, nothing logged):
 *
 * - before the command can take work in (Redis awaited, say): nothing has been taken in yet,
 *   so the process logs it and exits 0 at once;
 * - once it can (`takingWork`: `worker`'s BullMQ workers made, taking jobs) and before it has
 *   handed over its stop (the start's last steps): the stop runs as soon as it is handed over,
 *   within the same bound. A worker handed it over after the start's last checks until
 *   2026-12-07, and a signal meanwhile exited at once with a job in hand, left active until its
 *   lock lapsed (test/production/worker-signal-at-start.test.ts);
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
  private mayHoldWork: () => boolean = () => false;
  /** a signal come once work could be taken in, before the stop was handed over */
  private pending: NodeJS.Signals | undefined;
  private boundTimer: NodeJS.Timeout | undefined;
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
    if (this.pending) this.runStop(this.pending, stop);
    return this.done;
  }

  /**
   * The command may take work in from now, before `started`, whenever `mayHold` says so (a
   * worker: when Redis answers; while it is awaited nothing can be taken): a signal then waits
   * for its stop, within the bound, instead of exiting at once.
   */
  takingWork(mayHold: () => boolean): void {
    this.mayHoldWork = mayHold;
  }

  /** The start failed: signals go back to their default. */
  dispose(): void {
    clearTimeout(this.boundTimer); // a signal pending: the failed start's error ends the process
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
    if (!stop && !this.mayHoldWork()) {
      this.logger.info({ signal }, 'stopping before the start finished: nothing was taken in yet, exiting');
      process.exit(0);
    }
    this.boundTimer = setTimeout(() => {
      this.logger.warn({ boundMs: this.boundMs }, 'shutdown bound reached: exiting');
      process.exit(0);
    }, this.boundMs + 1000);
    if (stop) this.runStop(signal, stop);
    else {
      this.logger.info({ signal, boundMs: this.boundMs }, 'stopping as soon as the start ends: a job may be in hand already');
      this.pending = signal;
    }
  }

  private runStop(signal: NodeJS.Signals, stop: (signal: string) => Promise<void>): void {
    this.pending = undefined;
    this.logger.info({ signal, boundMs: this.boundMs }, 'stopping');
    stop(signal)
      .catch((e) => this.logger.error({ err: e }, 'error while stopping'))
      .finally(() => {
        clearTimeout(this.boundTimer);
        setTimeout(() => process.exit(0), LINGER_MS).unref();
        this.resolveDone(0);
      });
  }
}
