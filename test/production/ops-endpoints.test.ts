/**
 * Operations endpoints: a worker serves /metrics (Prometheus text, with the files, invoices,
 * invoices sent less checked, flow statuses from partners, processing-time and queue-depth
 * metrics) and /healthz; the dashboard serves bull-board.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { startDashboard } from '../../src/cli/commands/dashboard';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { createMetrics } from '../../src/ops/metrics';
import { startOpsServer } from '../../src/ops/http-server';
import { fluxQueue, reconcileQueue } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import type { Rule } from '../../src/transform/validate/rule';
import { ALL_RULES } from '../../src/transform/validate/rules';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { siFlowStatusFlow } from '../helpers/statut';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

import { setTimeout as sleep } from 'node:timers/promises';

describeRedis('operations endpoints', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('/metrics counts what the worker did, /healthz answers, the dashboard lists the queues', async () => {
    redis = redisClient();
    const queue = fluxQueue(setup.config, redis);
    const metrics = createMetrics({ queueDepth: () => queue.getJobCounts('waiting', 'active', 'failed'), defaults: false });
    // on the main thread: the rule changed below must be the one the pipeline runs
    const running = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }), metrics, processIn: 'main' });
    // one invoice that a rule cannot judge (a simulated fault): sent, and counted as less checked
    const rule = ALL_RULES.find((r) => r.id === 'BR-CO-15') as { check: Rule['check'] };
    const check = rule.check;
    rule.check = (ctx) => {
      if (ctx.invoice.number === 'F-2026-000001') throw new Error('simulated fault');
      return check(ctx);
    };
    const server = await startOpsServer(metrics, { port: 0, host: '127.0.0.1', health: async () => ({ ok: running.worker.isRunning(), details: { role: 'worker' } }) });
    for (let n = 0; n < 3; n++) writeFileSync(path.join(setup.inbox('op-alpha'), `f-${n}.xml`), invoiceNumbered(n));
    writeFileSync(path.join(setup.inbox('op-alpha'), 'broken.xml'), '<Invoice>');
    // the partner's word on flows it was sent: one refused, one received
    writeFileSync(path.join(setup.inbox('op-alpha'), 'acks.xml'), siFlowStatusFlow('ACK-1', [{ idStatut: '94', idFlux: 'CFX0001', commentaire: 'Rejet' }, { idStatut: '92', idFlux: 'CFX0002' }]));
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue, journal, logger: createLogger({ level: 'silent' }), events: false });
    await watcher.start();
    let body = '';
    for (let i = 0; i < 200; i++) {
      await sleep(100);
      body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      if (/chorus_flux_files_total\{[^}]*outcome="refused"[^}]*\} 1/.test(body) && /outcome="accepted"[^}]*\} 3/.test(body) && /outcome="status-applied"[^}]*\} 1/.test(body)) break;
    }
    await watcher.stop();
    await journal.close();
    expect(body).toMatch(/chorus_flux_files_total\{partner="op-alpha",outcome="accepted",kind="IN_DP_E1_UBL_INVOICE"\} 3/);
    expect(body).toMatch(/chorus_flux_files_total\{partner="op-alpha",outcome="refused",kind="none"\} 1/);
    expect(body).toMatch(/chorus_flux_invoices_total\{outcome="accepted"\} 3/);
    expect(body).toMatch(/chorus_flux_files_received_total\{partner="op-alpha"\} 5/);
    expect(body).toMatch(/chorus_flux_invoices_less_checked_total\{reason="rule"\} 1/);
    expect(body).not.toMatch(/chorus_flux_invoices_less_checked_total\{reason="facturx"\}/);
    expect(body).toMatch(/chorus_flux_flow_statuses_total\{partner="op-alpha",verdict="rejected"\} 1/);
    expect(body).toMatch(/chorus_flux_flow_statuses_total\{partner="op-alpha",verdict="acknowledged"\} 1/);
    rule.check = check;
    expect(body).toMatch(/chorus_flux_processing_seconds_count\{outcome="accepted"\} 3/);
    expect(body).toMatch(/chorus_flux_queue_jobs\{state="waiting"\} 0/);
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', role: 'worker' });
    await running.close(5000);
    const down = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(down.status).toBe(503);
    await server.close();

    const dash = await startDashboard(setup.configFile, 0);
    const page = await (await fetch(dash.url)).text();
    expect(page).toMatch(/<html/i);
    const api = (await (await fetch(`${dash.url}api/queues`)).json()) as { queues: { name: string }[] };
    expect(api.queues.map((q) => q.name).sort()).toEqual(['flux', 'reconcile']);
    // it has no login: read-only, it cannot pause the queue (nothing said a paused queue anywhere)
    const pause = await fetch(`${dash.url}api/queues/flux/pause`, { method: 'PUT' });
    expect(pause.status).toBeGreaterThanOrEqual(400);
    expect(await queue.isPaused()).toBe(false);
    await dash.close();

    // paused anyway (BullMQ's API, a dashboard allowed to): jobs says so, exit 1, and --resume resumes
    await queue.pause();
    const paused = await cli(['jobs', '--config', setup.configFile]);
    expect(paused.code).toBe(1);
    expect(paused.stdout).toContain('the queue is PAUSED');
    const nightly = reconcileQueue(setup.config, redis);
    await nightly.pause();
    const both = await cli(['jobs', '--config', setup.configFile]);
    expect(both.stdout).toContain("the nightly reconciliation's queue is PAUSED");
    const resumed = await cli(['jobs', '--config', setup.configFile, '--resume']);
    expect(resumed.stderr).toContain('the flux queue was paused: resumed');
    expect(resumed.stderr).toContain('the reconcile queue was paused: resumed');
    expect(await nightly.isPaused()).toBe(false);
    await nightly.close();
    expect(resumed.stdout).not.toContain('PAUSED');
    expect(await queue.isPaused()).toBe(false);
    await queue.close();
  }, 60000);
});
