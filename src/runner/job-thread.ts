/**
 * The worker thread of `chorus-flux worker`: it runs processFile on the files of the jobs the
 * main thread takes, so that the main thread stays free for what must not wait behind a large
 * file (BullMQ's lock renewals, signals and the shutdown bound, /healthz and /metrics). It has
 * its own pipeline dependencies and IdCPRO reservations (its own Redis connection and mark
 * file), as a thread of `run` has; the content's lock is held by the main thread around the job.
 */
import { parentPort } from 'node:worker_threads';
import type { Config } from '../config/config';
import { setMaxOpenPerBatch } from '../emit/write-batch';
import { createRedis } from '../queue/redis';
import { RedisIdSequence } from '../state/redis-id-sequence';
import { releaseLockTokens, useDeadThreadRegistry } from '../state/file-lock';
import { createLogger } from '../util/logger';
import { JOB_THREAD_NAME, nameThisThread } from '../util/thread-name';
import { createDeps, statePaths } from './deps';
import { processFile, type InboundFile, type PipelineDeps } from './process-file';
import { jobOutcome, type JobOutcome } from './job-outcome';

export type ToJobThread =
  | { type: 'init'; config: Config; level: string; pretty: boolean; deadThreads: SharedArrayBuffer; maxOpenPerBatch: number }
  | { type: 'file'; id: number; file: InboundFile }
  /** the main thread's budget counts what the file holds (an answer to 'holds') */
  | { type: 'granted'; id: number }
  /** redisDown: the main thread gave Redis up (redis-at-stop.ts): the thread's connection is dropped, not QUIT (a QUIT to a frozen Redis waits for ever) */
  | { type: 'close'; redisDown?: boolean };

export type FromJobThread =
  | { type: 'ready' }
  /** the file holds `bytes` input bytes in memory (a Factur-X's inflated XML): wait for 'granted' (in-flight-budget.ts) */
  | { type: 'holds'; id: number; bytes: number }
  /** what the main thread needs of the file's result (job-outcome.ts), not all of it */
  | { type: 'result'; id: number; result: JobOutcome }
  | { type: 'error'; id: number; message: string }
  | { type: 'closed' };

let deps: PipelineDeps | undefined;
let redis: ReturnType<typeof createRedis> | undefined;
/** Files waiting for the main thread's budget to count what they hold (their XML is dropped meanwhile). */
const grants = new Map<number, () => void>();

function holds(id: number): (bytes: number) => Promise<void> {
  return (bytes) =>
    new Promise<void>((resolve) => {
      grants.set(id, resolve);
      post({ type: 'holds', id, bytes });
    });
}

function post(m: FromJobThread): void {
  parentPort?.postMessage(m);
}

parentPort?.on('message', async (m: ToJobThread) => {
  switch (m.type) {
    case 'init': {
      nameThisThread(JOB_THREAD_NAME);
      useDeadThreadRegistry(m.deadThreads);
      setMaxOpenPerBatch(m.maxOpenPerBatch);
      const logger = createLogger({ level: m.level as 'info', pretty: m.pretty });
      deps = createDeps(m.config, { logger, contentLocks: false });
      redis = createRedis({ url: m.config.redis.url });
      // its errors come back as failed attempts (retried); the main thread's connections report Redis trouble
      redis.on('error', () => undefined);
      deps.ids = new RedisIdSequence({ redis, prefix: m.config.redis.prefix, dir: statePaths(m.config).ids, writerId: deps.journal.writerId });
      post({ type: 'ready' });
      return;
    }
    case 'file':
      try {
        post({ type: 'result', id: m.id, result: jobOutcome(await processFile(deps as PipelineDeps, m.file, { holds: holds(m.id) })) });
      } catch (err) {
        post({ type: 'error', id: m.id, message: (err as Error)?.message ?? String(err) });
      }
      return;
    case 'granted':
      grants.get(m.id)?.();
      grants.delete(m.id);
      return;
    case 'close':
      await deps?.journal.close().catch(() => undefined);
      releaseLockTokens(); // a terminated thread runs no exit handler
      if (m.redisDown) redis?.disconnect();
      else await redis?.quit().catch(() => undefined);
      deps?.logger.flush?.();
      post({ type: 'closed' });
      return;
  }
});
