/**
 * `chorus-flux watch --config <file>`: watch every configured inbox, claim complete files
 * and queue them on Redis; serve /metrics and /healthz; register the nightly
 * reconciliation as a BullMQ Job Scheduler. Runs until SIGTERM or SIGINT.
 */
import { configWarnings, loadConfig } from '../../config/config';
import { checkFolders } from '../../config/folders';
import { InboxWatcher } from '../../ingest/watcher';
import { Journal } from '../../journal/journal';
import { createMetrics } from '../../ops/metrics';
import { startOpsServer } from '../../ops/http-server';
import { fluxQueue, reconcileQueue } from '../../queue/flux-queue';
import { queueLimits } from '../../queue/queue-limits';
import { checkRedisAtStart, createRedis } from '../../queue/redis';
import { statePaths } from '../../runner/deps';
import { systemClock } from '../../util/clock';
import { createLogger } from '../../util/logger';
import { VERSION } from '../../version';
import { Shutdown } from '../shutdown';
import { redactRedisUrl } from '../../queue/redis-url';
import { RedisTrouble, describeRedisError, reportRedisErrors, reportRedisReady, troubleDetails } from '../../queue/redis-trouble';
import { type CatchUpCause, registerNightlySchedule, restoreNightlySchedule } from '../../queue/nightly-schedule';
import { defaultReportDir } from '../../reconcile/reconcile-day';
import { lastReportSeconds } from '../../reconcile/missed-days';
import { refuseForeignOwner } from '../owner-guard';
import { GaveUpOnRedis, RedisAtStop, unlessGivenUp } from '../../queue/redis-at-stop';
import { watchRedisAnswers, type RedisAnswers } from '../../queue/redis-answers';
import { configDigests, differingSections } from '../../config/config-digest';
import { ConfigFileDigests } from '../../config/config-file-digests';
import { publishReference } from '../../queue/config-reference';
import { CONFIG_CHECK_MS } from '../../runner/config-skew';
import { EvictionPolicyWatch } from '../../queue/eviction-policy';


export async function watchCommand(opts: { config?: string; events?: boolean; metricsPort?: number; asAnyUser?: boolean }): Promise<number> {
  const config = loadConfig(opts.config);
  refuseForeignOwner('watch', config, opts);
  checkFolders(config, 'watch');
  const logger = createLogger({});
  // signals are ours from here: one during the start (Redis awaited) ends it cleanly
  const shutdown = new Shutdown(logger, config.worker.shutdownTimeoutMs);
  for (const w of configWarnings(config)) logger.warn(w);
  let queue: ReturnType<typeof fluxQueue> | undefined;
  let nightly: ReturnType<typeof reconcileQueue> | undefined;
  let live: { redis: ReturnType<typeof createRedis>; watcher: InboxWatcher; policy: EvictionPolicyWatch } | undefined;
  const metrics = createMetrics({
    queueDepth: async () => (queue ? queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed') : {}),
    queuePaused: async () => (queue && nightly ? { [queue.name]: await queue.isPaused(), [nightly.name]: await nightly.isPaused() } : {}),
    queueLimits: async () => (queue && nightly ? { [queue.name]: await queueLimits(queue), [nightly.name]: await queueLimits(nightly) } : {}),
    lastReportSeconds: () => lastReportSeconds(defaultReportDir(config), config.timezone),
  });
  // the port first: one in use stops the start before anything is claimed
  const server = await startOpsServer(metrics, {
    port: opts.metricsPort ?? config.metrics.port,
    host: config.metrics.host,
    health: async () => {
      if (!live) return { ok: false, details: { role: 'watch', starting: true, version: VERSION } };
      // a probe answers at once: not connected is down (a PING then waits through the client's
      // reconnection attempts, 30–40 s), and a PING that takes over a second and a half is too
      const redis = live.redis;
      const pong = redis.status !== 'ready' ? 'down' : await Promise.race([redis.ping().catch(() => 'down'), new Promise<string>((r) => setTimeout(() => r('down'), 1500).unref())]);
      // a Redis at its memory limit still answers PING: what counts is whether it takes jobs
      const trouble = live.watcher.trouble.current();
      return { ok: pong === 'PONG' && !trouble, details: { role: 'watch', redis: pong !== 'PONG' ? 'down' : trouble ? 'refusing jobs' : 'up', ...troubleDetails(trouble), ...live.policy.details(), version: VERSION } };
    },
  });
  let redis: ReturnType<typeof createRedis> | undefined;
  const reference = { version: VERSION, digests: configDigests(config), source: config.source };
  const fileDigests = new ConfigFileDigests(opts.config, reference.digests, logger);
  const journal = new Journal({ dir: statePaths(config).journal, clock: systemClock, timezone: config.timezone });
  let watcher: InboxWatcher | undefined;
  let atStop: RedisAtStop | undefined;
  let answers: RedisAnswers | undefined;
  let policy: EvictionPolicyWatch | undefined;
  // what Redis refused at the start (a memory limit reached, a read-only replica): done at the rescans
  let publishRefused: string | undefined;
  let published = false;
  let scheduleOwed = false;
  try {
    // a refused password stops the start here; a Redis not up yet is waited for
    await checkRedisAtStart(config.redis.url, (m) => logger.warn(m));
    redis = createRedis({ url: config.redis.url });
    // BullMQ needs noeviction: another policy said once, in plain words (eviction-policy.ts)
    policy = new EvictionPolicyWatch(redis, logger);
    policy.start();
    queue = fluxQueue(config, redis);
    nightly = reconcileQueue(config, redis);
    // Redis's state as the watcher sees it: errors logged once per kind, claims paused while it refuses jobs
    const trouble = new RedisTrouble();
    // what the stop's giving up on Redis rejects is no Redis trouble (redis-at-stop.ts)
    const givenUp = () => atStop?.givenUp ?? false;
    redis.on('error', unlessGivenUp(givenUp, reportRedisErrors(trouble, logger, metrics, 'watch')));
    redis.on('ready', reportRedisReady(trouble, logger, 'watch'));
    for (const q of [queue, nightly]) q.on('error', unlessGivenUp(givenUp, reportRedisErrors(trouble, logger, metrics, 'watch')));
    // a Redis silent on an open connection raises no error: asked once a second (redis-answers.ts)
    answers = watchRedisAnswers(redis, trouble, logger, metrics, 'watch');
    const asking = answers;
    atStop = new RedisAtStop([redis], undefined, () => asking.answering);
    watcher = new InboxWatcher({ config, queue, journal, logger, metrics, events: opts.events, trouble, redisAtStop: atStop });
    await journal.append({ event: 'start', mode: 'watch', version: VERSION, config: config.source });
    // the reference the workers compare their configuration with (runner/config-skew.ts); when it
    // changed, the workers still on the former one are given the time to see it before anything is queued
    // Redis refusing writes does not stop the start (the watcher waits for it): published at the next rescan
    const before = await publishReference(redis, config.redis.prefix, reference).catch((e: Error) => {
      publishRefused = describeRedisError(e).says;
      logger.warn(`this watch's configuration could not be published for the workers to compare theirs with (${publishRefused}): tried again at each rescan`);
      return undefined;
    });
    if (publishRefused === undefined) published = true;
    const changed = before ? differingSections(reference.digests, before.digests) : [];
    if (changed.length > 0) {
      logger.warn({ changed, previousVersion: before?.version }, `this watch's configuration differs from the previous watch's in ${changed.join(', ')}: workers still on the former file take no job until restarted with this one`);
      await new Promise((r) => setTimeout(r, 2 * CONFIG_CHECK_MS));
    }
    // gone from Redis (first start, or a Redis restarted empty meanwhile): scheduled, and a night it lost caught up
    try {
      const schedule = await restoreNightlySchedule(nightly, config);
      if (!schedule.restored) await registerNightlySchedule(nightly, config); // the configured cron, perhaps changed
      if (schedule.caughtUp) logger.warn({ days: schedule.caughtUp.days }, caughtUpSays(schedule.caughtUp));
    } catch (e) {
      // Redis refusing writes does not stop the start either (it ended in a stack trace, at every restart of the unit)
      if (!refusesWrites(e)) throw e;
      scheduleOwed = true;
      logger.warn(`the nightly reconciliation could not be scheduled (${describeRedisError(e).says}): tried again at each rescan`);
    }
    await watcher.start();
  } catch (e) {
    // nothing left open: the process ends with its error
    shutdown.dispose();
    answers?.stop();
    policy?.stop();
    await watcher?.stop().catch(() => undefined);
    await server.close();
    for (const q of [queue, nightly]) await q?.close().catch(() => undefined);
    await redis?.quit().catch(() => undefined);
    await journal.close().catch(() => undefined);
    throw e;
  }
  live = { redis, watcher, policy: policy as EvictionPolicyWatch };
  const [fluxJobs, nightlyJobs, connection, inboxes, redisAtStop, inboxAnswers, policyWatch] = [queue, nightly, redis, watcher, atStop, answers, policy as EvictionPolicyWatch];
  // Redis may lose the schedule while this runs (a restart without its data): looked for at every rescan
  let checking = false;
  let otherSaid = '';
  const scheduleCheck = setInterval(() => {
    if (checking) return;
    checking = true;
    // published again: a Redis restarted empty has lost it, and the workers would go unchecked
    // the file as it is now: workers restarted on an edited file take jobs with watch left running
    const digests = fileDigests.current();
    publishReference(connection, config.redis.prefix, { ...reference, digests })
      .then((was) => {
        const refusedBefore = publishRefused;
        const first = !published;
        publishRefused = undefined;
        published = true;
        if (refusedBefore !== undefined) {
          // the one replaced is this watch's former digests, or, at its first publication, the previous watch's: not another running watch's
          const changed = first && was ? differingSections(digests, was.digests) : [];
          logger[changed.length > 0 ? 'warn' : 'info']({ changed, previousVersion: first ? was?.version : undefined }, `this watch's configuration is published now for the workers to compare theirs with (Redis refused it until now)${changed.length > 0 ? `; it differs from the previous watch's in ${changed.join(', ')}: workers still on the former file take no job until restarted with this one` : ''}`);
          return;
        }
        // two watchers (two machines) on two files: each rescan overwrites the other's, and the workers follow whichever wrote last
        const other = was ? differingSections(digests, was.digests) : [];
        if (other.length > 0 && other.join() !== otherSaid) logger.error({ differs: other, otherWatch: was?.source, otherHost: was?.host }, `another watch (${was?.source} on ${was?.host}) runs with a configuration that differs from this one's in ${other.join(', ')}: workers take jobs or not depending on which watch spoke last; give every watch the same configuration file`);
        otherSaid = other.join();
      })
      .catch((e: Error) => {
        // refused (Redis at its memory limit, a read-only replica): said once, not at each rescan; the workers are compared with what Redis holds
        if (publishRefused === undefined) logger.warn(`this watch's configuration could not be published for the workers to compare theirs with (${describeRedisError(e).says}): tried again at each rescan; until then the workers are compared with the configuration Redis holds, if any`);
        publishRefused = describeRedisError(e).says;
      })
      .then(() => restoreNightlySchedule(nightlyJobs, config))
      .then(async ({ restored, caughtUp }) => {
        if (scheduleOwed) {
          // refused at the start: the configured cron, perhaps changed, now
          if (!restored) await registerNightlySchedule(nightlyJobs, config);
          scheduleOwed = false;
          logger.warn({ cron: config.reconcile.cron, timezone: config.timezone }, 'the nightly reconciliation is scheduled now (Redis refused it at the start)');
        } else if (restored) logger.warn({ cron: config.reconcile.cron, timezone: config.timezone }, 'the nightly reconciliation was no longer scheduled in Redis (restarted without its data, or flushed): scheduled again');
        if (caughtUp) logger.warn({ days: caughtUp.days }, caughtUpSays(caughtUp));
      })
      .catch(() => undefined) // Redis errors are reported by the connection's handler
      .finally(() => {
        checking = false;
      });
  }, config.watch.rescanMs);
  scheduleCheck.unref();
  logger.info({ metrics: `http://${config.metrics.host}:${server.port}/metrics`, redis: redactRedisUrl(config.redis.url), prefix: config.redis.prefix }, 'watch started');
  return shutdown.started(async (signal) => {
    clearInterval(scheduleCheck);
    policyWatch.stop();
    // Redis out of reach, or silent: what waits on it alone is given up at once (redis-at-stop.ts),
    // not at the bound; looked at all along the stop, Redis may go silent meanwhile
    const poll = setInterval(() => redisAtStop.giveUpIfDown(), 20);
    redisAtStop.giveUpIfDown();
    try {
      await inboxes.stop();
      await journal.append({ event: 'stop', mode: 'watch', reason: signal });
      await journal.close();
      await server.close();
      // the queues' closing and a QUIT wait on Redis: given up with it (the connection closed already)
      if (!redisAtStop.givenUp) await redisAtStop.of(Promise.all([fluxJobs.close(), nightlyJobs.close()]).then(() => connection.quit().catch(() => undefined))).catch((e) => {
        if (!(e instanceof GaveUpOnRedis)) throw e;
      });
    } finally {
      clearInterval(poll);
      inboxAnswers.stop();
    }
    if (redisAtStop.givenUp) {
      logger.warn('Redis could not be reached as the watch stopped: what waited on it was given up; files claimed and not queued wait in processing/, where the next watch queues them');
    }
    logger.info('watch stopped: the inboxes are no longer watched; files claimed and queued stay for the workers');
  });
}

/** Redis answers but takes no write (maxmemory reached, a read-only replica, a failed snapshot): waited for, not a reason to end. */
function refusesWrites(e: unknown): boolean {
  return ['out-of-memory', 'read-only', 'persistence'].includes(describeRedisError(e).kind);
}

/** Said when the last night's job went with Redis's data and its days are queued to be reconciled now. */
function caughtUpSays({ days, cause }: { days: string[]; cause: CatchUpCause }): string {
  const why = cause === 'failed' ? 'its job failed: the worker on it killed twice, or the reconciliation could not run; `chorus-flux jobs` lists it' : "its job went with Redis's data, or no watch kept it scheduled";
  return `the last night's reconciliation left no report (${why}): ${days.length} day(s) without a report (${days.join(', ')}) queued to be reconciled now (a run still under way ends first, and a day it reconciled is not done again)`;
}
