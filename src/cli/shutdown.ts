/**
 * Graceful shutdown for the long-running commands: on SIGTERM or SIGINT, run `stop` and
 * exit 0; if it takes longer than the bound, exit 0 anyway (outputs are atomic, unfinished
 * work is found again by the rescan) — a second signal exits at once.
 */
import type { Logger } from 'pino';

export function onShutdown(logger: Logger, boundMs: number, stop: (signal: string) => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(0);
      }
      stopping = true;
      logger.info({ signal, boundMs }, 'stopping');
      const timer = setTimeout(() => {
        logger.warn({ boundMs }, 'shutdown bound reached: exiting');
        resolve(0);
      }, boundMs + 1000);
      timer.unref();
      stop(signal)
        .catch((e) => logger.error({ err: e }, 'error while stopping'))
        .finally(() => {
          clearTimeout(timer);
          resolve(0);
        });
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
}
