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
import { createLogger } from '../../util/logger';
import type { Logger } from 'pino';
import { Shutdown } from '../shutdown';

export async function startDashboard(configFile: string | undefined, port?: number, logger: Logger = createLogger({ level: 'silent' })) {
  const config = loadConfig(configFile);
  // as watch and worker: a refused password stops the start (exit 2, one plain line); a Redis
  // not up yet is said once. Then its errors are logged once per kind and each minute, as JSON
  // lines: without a listener, BullMQ printed every reconnection's stack trace on stderr
  await checkRedisAtStart(config.redis.url, (m) => logger.warn(m));
  const redis = createRedis({ url: config.redis.url });
  const queues = [fluxQueue(config, redis), reconcileQueue(config, redis)];
  const trouble = new RedisTrouble();
  for (const emitter of [redis, ...queues]) emitter.on('error', reportRedisErrors(trouble, logger, undefined, 'dashboard'));
  redis.on('ready', reportRedisReady(trouble, logger, 'dashboard'));
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/');
  // no login: read-only unless the configuration says otherwise (bull-board refuses the actions server-side)
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: config.dashboard.readOnly })), serverAdapter, options: { uiConfig: { boardTitle: 'chorus-flux' } } });
  const app = express();
  // while Redis cannot be reached, bull-board's API calls waited for the reconnection (ioredis
  // queues them): the page stayed blank with no word, and a SIGTERM waited on them. They are
  // answered at once instead, with why (the page itself needs no Redis)
  app.use('/api', (_req, res, next) => {
    if (redis.status === 'ready') return next();
    const t = trouble.current();
    res.status(503).json({ error: `Redis cannot be reached (${t ? t.detail : redis.status}): the dashboard shows the queues again once it is back`, redis: redis.status, ...troubleDetails(t) });
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
      await new Promise((r) => server.close(() => r(undefined)));
      await Promise.all(queues.map((q) => q.close()));
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
