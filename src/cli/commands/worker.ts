/**
 * `chorus-flux worker --config <file>`: process queued files; scale by starting more, on
 * this machine or others sharing the inboxes' storage. Runs until SIGTERM or SIGINT, then
 * hands the jobs that have not begun their file back to the queue, finishes its running jobs
 * within worker.shutdownTimeoutMs and exits 0.
 */
import { configWarnings, loadConfig } from '../../config/config';
import { checkFolders } from '../../config/folders';
import { createMetrics } from '../../ops/metrics';
import { startOpsServer } from '../../ops/http-server';
import { fluxQueue, reconcileQueue } from '../../queue/flux-queue';
import { hasLimits, limitsText, queueLimits } from '../../queue/queue-limits';
import { checkRedisAtStart, createRedis } from '../../queue/redis';
import { startWorker } from '../../runner/worker';
import { createLogger } from '../../util/logger';
import { VERSION } from '../../version';
import { Shutdown } from '../shutdown';
import { redactRedisUrl } from '../../queue/redis-url';
import { redisHealth, RedisTrouble, reportRedisErrors, troubleDetails } from '../../queue/redis-trouble';
import { unlessGivenUp } from '../../queue/redis-at-stop';
import { refuseForeignOwner } from '../owner-guard';
import { faultDelay } from '../../util/fault';
import { EvictionPolicyWatch } from '../../queue/eviction-policy';

export async function workerCommand(opts: { config?: string; concurrency?: number; metricsPort?: number; asAnyUser?: boolean }): Promise<number> {
  const config = loadConfig(opts.config);
  refuseForeignOwner('worker', config, opts);
  checkFolders(config, 'worker');
  const logger = createLogger({});
  // signals are ours from here: one during the start (Redis awaited) ends it cleanly
  const shutdown = new Shutdown(logger, config.worker.shutdownTimeoutMs);
  for (const w of configWarnings(config)) logger.warn(w);
  let queue: ReturnType<typeof fluxQueue> | undefined;
  let running: Awaited<ReturnType<typeof startWorker>> | undefined;
  let policy: EvictionPolicyWatch | undefined;
  const metrics = createMetrics({
    queueDepth: async () => (queue ? queue.getJobCounts('waiting', 'active', 'delayed', 'failed') : {}),
    queuePaused: async () => (queue ? { [queue.name]: await queue.isPaused() } : {}),
    queueLimits: async () => (queue ? { [queue.name]: await queueLimits(queue) } : {}),
  });
  // the port first: one in use stops the start before any job is taken (it used to be found
  // after the worker had started, which then ran on without its endpoints)
  const server = await startOpsServer(metrics, {
    port: opts.metricsPort ?? config.metrics.workerPort,
    host: config.metrics.host,
    health: async () => {
      if (!running) return { ok: false, details: { role: 'worker', running: false, starting: true, version: VERSION } };
      const trouble = running.trouble.current();
      // a configuration that differs from the watcher's: up, and taking no job (runner/config-skew.ts)
      const skew = running.configSkew();
      return { ok: running.worker.isRunning() && !trouble && !skew, details: { role: 'worker', running: running.worker.isRunning(), redis: redisHealth(trouble), ...troubleDetails(trouble), ...skew, ...policy?.details(), version: VERSION } };
    },
  });
  const concurrency = opts.concurrency ?? config.worker.concurrency;
  let redis: ReturnType<typeof createRedis> | undefined;
  try {
    // a refused password stops the start here; a Redis not up yet is waited for
    await checkRedisAtStart(config.redis.url, (m) => logger.warn(m));
    redis = createRedis({ url: config.redis.url });
    const trouble = new RedisTrouble();
    // BullMQ needs noeviction: another policy said once, in plain words (eviction-policy.ts)
    policy = new EvictionPolicyWatch(redis, logger, trouble);
    policy.start();
    queue = fluxQueue(config, redis);
    // the metrics' connection (queue depth): its errors are the same trouble as the worker's
    // given up with the worker's at its stop: what that rejects is no Redis trouble (redis-at-stop.ts)
    const givenUp = () => running?.givenUp() ?? false;
    redis.on('error', unlessGivenUp(givenUp, reportRedisErrors(trouble, logger, metrics, 'worker connection')));
    queue.on('error', unlessGivenUp(givenUp, reportRedisErrors(trouble, logger, metrics, 'worker connection')));
    const connection = redis;
    // a signal once Redis answers may find a job in hand already: the stop then waits for the start to end
    running = await startWorker({ config, logger, metrics, concurrency, trouble, alsoGiveUp: [redis], onTakingWork: () => shutdown.takingWork(() => connection.status === 'ready') });
  } catch (e) {
    // nothing left open: the process ends with its error
    shutdown.dispose();
    policy?.stop();
    await server.close();
    await queue?.close().catch(() => undefined);
    await redis?.quit().catch(() => undefined);
    throw e;
  }
  const [started, q, connection] = [running, queue, redis];
  // its BullMQ workers take jobs from here on (autorun), before the checks below are answered: a
  // signal from now stops it as a started worker, its file in hand finished first. The stop was
  // handed over after the checks until 2026-12-07: a signal meanwhile exited 0 at once, "nothing
  // was taken in yet", with a job in hand left active until its lock lapsed
  let stopped = false;
  const policyWatch = policy;
  const done = shutdown.started(async () => {
    stopped = true;
    policyWatch?.stop();
    const how = await started.close(config.worker.shutdownTimeoutMs);
    logger.info({ how }, 'worker stopped');
    await server.close();
    // given up on with the worker's (Redis down): closing the queue and a QUIT would wait on Redis
    if (how === 'redis-down') return;
    await q.close();
    await connection.quit().catch(() => undefined);
  });
  await faultDelay('after-worker-start');
  // a queue paused (from the dashboard) survives restarts: a worker that starts says so, or it would wait in silence
  // (each answer awaited is caught: a stop meanwhile closes the connection they are asked on)
  const nightly = reconcileQueue(config, connection);
  for (const queueToCheck of [q, nightly]) {
    if (stopped) break;
    if (await queueToCheck.isPaused().catch(() => false)) logger.warn(`the ${queueToCheck.name} queue is paused: this worker takes none of its jobs until it is resumed (chorus-flux jobs --config ${opts.config ?? '<file>'} --resume)`);
    const limits = await queueLimits(queueToCheck).catch(() => undefined);
    if (limits && hasLimits(limits)) logger.warn(`the ${queueToCheck.name} queue has ${limitsText(limits)}, kept in Redis: it holds back this worker whatever its concurrency (remove it: chorus-flux jobs --config ${opts.config ?? '<file>'} --clear-limits)`);
  }
  await nightly.close().catch(() => undefined);
  if (!stopped) logger.info({ concurrency, maxInFlightMb: config.worker.maxInFlightMb, metrics: `http://${config.metrics.host}:${server.port}/metrics`, redis: redactRedisUrl(config.redis.url) }, 'worker started');
  return done;
}
