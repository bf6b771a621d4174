/**
 * The Redis side of a suite that drives worker processes by hand: a client, the flux queue of
 * the suite's configuration, and the worker processes it starts, all ended (workers killed,
 * the suite's Redis keys removed) after the suite.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { deletePrefix, redisClient } from './redis';
import type { ProdSetup } from './watch';
import type { WorkerProcess } from './worker-process';

export interface QueueSuite {
  readonly redis: Redis;
  readonly queue: Queue<FluxJobData>;
  /** the worker processes started: killed after the suite */
  readonly workers: WorkerProcess[];
}

/** Call inside a describe block: registers its beforeAll and afterAll. */
export function queueSuite(setup: ProdSetup): QueueSuite {
  let redis: Redis | undefined;
  let queue: Queue<FluxJobData> | undefined;
  const workers: WorkerProcess[] = [];
  beforeAll(() => {
    redis = redisClient();
    queue = fluxQueue(setup.config, redis);
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await queue?.close();
    if (redis) {
      await deletePrefix(redis, setup.config.redis.prefix);
      await redis.quit();
    }
  });
  return {
    get redis() {
      if (!redis) throw new Error('queueSuite: used outside the suite');
      return redis;
    },
    get queue() {
      if (!queue) throw new Error('queueSuite: used outside the suite');
      return queue;
    },
    workers,
  };
}
