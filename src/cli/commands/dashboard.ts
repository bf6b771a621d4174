/**
 * `chorus-flux dashboard --config <file>`: the queue dashboard (bull-board) for the flux
 * and reconcile queues, on dashboard.host:dashboard.port. Runs until SIGTERM or SIGINT.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { listenProblem } from '../../ops/http-server';
import express from 'express';
import { createServer, type Server } from 'node:http';
import { loadConfig } from '../../config/config';
import { fluxQueue, reconcileQueue } from '../../queue/flux-queue';
import { checkRedisAtStart, createRedis } from '../../queue/redis';
import { RedisTrouble, reportRedisErrors, reportRedisReady, troubleDetails } from '../../queue/redis-trouble';
import { REDIS_ANSWER_DEADLINE_MS, watchRedisAnswers } from '../../queue/redis-answers';
import { isRedisLost } from '../../queue/redis-lost';
import { markCompletedRetries } from '../../queue/retry-seen';
import { createLogger } from '../../util/logger';
import type { Logger } from 'pino';
import { Shutdown } from '../shutdown';

/** How long (ms) a dashboard request waits for Redis: past the PING's deadline, which answers the calls after it 503 sooner. */
const DASHBOARD_REDIS_TIMEOUT_MS = REDIS_ANSWER_DEADLINE_MS + 2000;

export async function startDashboard(configFile: string | undefined, port?: number, logger: Logger = createLogger({ level: 'silent' })) {
  const config = loadConfig(configFile);
  // as watch and worker: a refused password stops the start (exit 2, one plain line); a Redis
  // not up yet is said once. Then its errors are logged once per kind and each minute, as JSON
  // lines: without a listener, BullMQ printed every reconnection's stack trace on stderr
  await checkRedisAtStart(config.redis.url, (m) => logger.warn(m));
  // its connection never blocks (bull-board reads and acts, no worker): a request Redis leaves
  // unanswered (frozen, a silent partition) fails after a while instead of holding its page for
  // ever (redis-lost.ts)
  const redis = createRedis({ url: config.redis.url, commandTimeoutMs: DASHBOARD_REDIS_TIMEOUT_MS });
  const queues = [fluxQueue(config, redis), reconcileQueue(config, redis)];
  // a completed job retried from it is marked first, for the worker that takes it to journal (retry-seen.ts)
  markCompletedRetries(queues[0], redis, config.redis.prefix);
  const trouble = new RedisTrouble();
  for (const emitter of [redis, ...queues]) emitter.on('error', reportRedisErrors(trouble, logger, undefined, 'dashboard'));
  redis.on('ready', reportRedisReady(trouble, logger, 'dashboard'));
  // as the daemons: a PING each second, Redis "not answering" once one waits 3 s
  const answers = watchRedisAnswers(redis, trouble, logger, undefined, 'dashboard');
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/');
  // no login: read-only unless the configuration says otherwise (bull-board refuses the actions server-side)
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: config.dashboard.readOnly })), serverAdapter, options: { uiConfig: { boardTitle: 'chorus-flux' } } });
  const unavailable = () => {
    const t = trouble.current();
    const state = answers.answering ? redis.status : 'not-answering';
    return { error: `Redis ${answers.answering ? 'cannot be reached' : 'does not answer, its connection still open'} (${t ? t.detail : state}): the dashboard shows the queues again once it is back`, redis: state, ...troubleDetails(t) };
  };
  // a call under way when Redis went silent ends on its request's timeout: 503 with why, as the
  // calls after it, not bull-board's 500 (its own handler, kept for every other error)
  type ErrorHandler = Parameters<ExpressAdapter['setErrorHandler']>[0];
  const theirs = (serverAdapter as unknown as { errorHandler: ErrorHandler }).errorHandler;
  // (bull-board's type lists only the statuses it sends itself; Express sends any)
  serverAdapter.setErrorHandler((e) => (isRedisLost(e) ? ({ status: 503, body: unavailable() } as unknown as ReturnType<ErrorHandler>) : theirs(e)));
  const app = express();
  // while Redis cannot be reached, or does not answer, bull-board's API calls waited for it
  // (ioredis queues them): the page stayed blank with no word, and a SIGTERM waited on them.
  // They are answered at once instead, with why (the page itself needs no Redis)
  app.use('/api', (_req, res, next) => {
    if (redis.status === 'ready' && answers.answering) return next();
    res.status(503).json(unavailable());
  });
  app.use('/', serverAdapter.getRouter());
  const server: Server = await new Promise<Server>((resolve, reject) => {
    // not app.listen: Express 5 calls its callback on a failed listen too, and the dashboard
    // said "started" on a port another process held
    const s = createServer(app);
    s.once('error', (e) => reject(listenProblem(e, 'the dashboard', port ?? config.dashboard.port, config.dashboard.host, '--port, or dashboard.port in the configuration')));
    s.listen(port ?? config.dashboard.port, config.dashboard.host, () => resolve(s));
  }).catch(async (e: unknown) => {
    // nothing left open: the process ends with its error
    answers.stop();
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    await redis.quit().catch(() => undefined);
    throw e;
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${config.dashboard.host}:${actualPort}/`,
    config,
    async close() {
      answers.stop();
      await new Promise((r) => server.close(() => r(undefined)));
      // a Redis that does not answer would not answer the QUIT either
      if (!answers.answering) redis.disconnect();
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await redis.quit().catch(() => undefined);
    },
  };
}

export async function dashboardCommand(opts: { config?: string; port?: number }): Promise<number> {
  const logger = createLogger({});
  const shutdown = new Shutdown(logger, 5000);
  const d = await startDashboard(opts.config, opts.port, logger).catch((e: unknown) => {
    shutdown.dispose();
    throw e;
  });
  // a dashboard anyone may act from is a warning, not news: it stands out of the info lines
  if (d.config.dashboard.readOnly) logger.info({ url: d.url, readOnly: true }, 'dashboard started (read-only: it has no login)');
  else logger.warn({ url: d.url, readOnly: false }, 'dashboard started: ANYONE who reaches this port can pause, clean or empty the queues, retry or remove jobs (dashboard.readOnly is false)');
  return shutdown.started(async () => {
    await d.close();
    logger.info('dashboard stopped');
  });
}
