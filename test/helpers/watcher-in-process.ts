/**
 * An InboxWatcher in this process on a given Redis, its log lines captured: for the suites that
 * read what the watcher says (levels, messages) while they do things to Redis or processing/.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Config } from '../../src/config/config';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import type { Metrics } from '../../src/ops/metrics';
import { createRedis } from '../../src/queue/redis';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';

export interface LoggedLine {
  level: number;
  msg: string;
  time: number;
}

export function watcherInProcess(config: Config, redisUrl: string, opts: { quietErrors?: boolean; metrics?: Metrics } = {}) {
  const connection = createRedis({ url: redisUrl });
  const queue = fluxQueue(config, connection);
  // quietErrors: Redis goes away under the test; the daemon's own listeners (watch.ts) are not under test
  if (opts.quietErrors) {
    connection.on('error', () => undefined);
    queue.on('error', () => undefined);
  }
  const logged: LoggedLine[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
  const journal = new Journal({ dir: path.join(config.paths.out, 'journal'), clock: systemClock, timezone: config.timezone });
  const watcher = new InboxWatcher({ config, queue, journal, logger, events: false, metrics: opts.metrics });
  return {
    queue,
    watcher,
    /** the writer of its journal lines */
    writer: journal.writerId,
    logged,
    /** the lines at level error or above */
    errors: () => logged.filter((l) => l.level >= 50).map((l) => l.msg),
    async close(): Promise<void> {
      await watcher.stop();
      await journal.close();
      await queue.close();
      await connection.quit();
    },
  };
}
