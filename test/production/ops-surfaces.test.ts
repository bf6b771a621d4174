/**
 * What an operator's tools meet on the running daemons, started as the operator starts them
 * (the real commands, on free ports). Found by an audit of the operational surfaces:
 *
 * - the dashboard, while Redis could not be reached, left every API call of its page waiting
 *   for the reconnection (the page blank, no word of why) — each is now answered at once, 503,
 *   saying Redis cannot be reached, and the queues show again once it is back;
 * - /metrics and /healthz answered a POST or a DELETE as a GET (200), and a query string
 *   (`/healthz?probe=1`, a scrape's `params`) with a 404 — now 405 with `Allow`, and the path
 *   alone counts;
 * - the exposition of watch and worker, read by a strict parser: valid text format, counters
 *   named *_total, histograms whole, and labels from a short list (no file names, no job ids:
 *   one series per file would grow without bound). prom-client's own process metrics are read
 *   as strictly, less its naming: three of its gauges are named *_total
 *   (chorus_flux_nodejs_active_handles_total…), which is prom-client's, not to be renamed here.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis, { type Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { namingProblems, parseExposition } from '../helpers/exposition';
import { describeRedis, suiteRedis } from '../helpers/redis';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

/** A chorus-flux command as a process; `line(msg)` waits for its JSON log line whose msg starts so. */
function command(args: string[]) {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return {
    child,
    exited,
    stderr: () => stderr,
    line: (msg: string) => until(msg, async () => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith(msg)), 60_000),
  };
}

/** A fetch that gives up after `ms` (undefined then): what a browser's page waiting in vain looks like. */
async function answer(url: string, ms: number, init: RequestInit = {}): Promise<Response | undefined> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') return undefined;
    throw e;
  }
}

/** Label names a chorus_flux_ series may carry: each bounded by the configuration or by the code. */
const BOUNDED_LABELS = new Set(['partner', 'outcome', 'kind', 'verdict', 'reason', 'state', 'queue', 'le']);

describeRedis('operational surfaces of the daemons', () => {
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 300 } });
  const shared = suiteRedis(setup.config.redis.prefix);

  (redisServerAvailable() ? it : it.skip)('the dashboard answers while Redis is down, says so, and shows the queues again once it is back', async () => {
    const own = await OwnRedis.start();
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    const file = path.join(setup.dir, 'config-own-redis.json');
    writeFileSync(file, JSON.stringify({ ...raw, redis: { ...raw.redis, url: own.url } }));
    const d = command(['dashboard', '-c', file, '--port', '0']);
    const connection = new IORedis(own.url, { maxRetriesPerRequest: null });
    const queue = new Queue('flux', { connection, prefix: setup.config.redis.prefix });
    queue.on('error', () => undefined);
    try {
      const { url } = (await d.line('dashboard started')) as { url: string };
      await until('the queues shown', async () => ((await answer(`${url}api/queues`, 5_000))?.status === 200 ? true : undefined), 30_000);
      // read-only: every action route of this bull-board refuses (not for want of Redis: it is up), whatever the queue holds
      await queue.add('flux', { path: '/nowhere' }, { jobId: 'j1', delay: 60_000 });
      // pausing every queue pauses the writable ones: none here (a 200 that does nothing)
      await fetch(`${url}api/queues/pause`, { method: 'PUT' });
      const actions: [string, string][] = [
        ['PUT', 'api/queues/flux/pause'],
        ['PUT', 'api/queues/flux/empty'],
        ['PUT', 'api/queues/flux/obliterate'],
        ['PUT', 'api/queues/flux/clean/delayed'],
        ['PUT', 'api/queues/flux/promote'],
        ['PUT', 'api/queues/flux/retry/failed'],
        ['PUT', 'api/queues/flux/concurrency'],
        ['PUT', 'api/queues/flux/rate-limit'],
        ['POST', 'api/queues/flux/add'],
        ['PUT', 'api/queues/flux/j1/clean'],
        ['PUT', 'api/queues/flux/j1/promote'],
        ['PATCH', 'api/queues/flux/j1/update-data'],
        ['PATCH', 'api/queues/flux/j1/delay'],
      ];
      for (const [method, route] of actions) {
        const r = await fetch(url + route, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: { path: '/etc/passwd' }, concurrency: 0, max: 1, duration: 60_000, delay: 0, name: 'x' }) });
        expect([method, route, r.status >= 400]).toEqual([method, route, true]);
      }
      expect(await queue.getJobState('j1')).toBe('delayed');
      expect((await queue.getJob('j1'))?.data).toEqual({ path: '/nowhere' });
      expect(await queue.isPaused()).toBe(false);
      expect(await queue.getGlobalConcurrency()).toBeNull();
      await queue.close();
      connection.disconnect();

      await own.kill();
      // answered within seconds, not when Redis is back (before: no answer at all)
      const down = await answer(`${url}api/queues`, 8_000);
      expect(down?.status).toBe(503);
      expect(((await down?.json()) as { error: string }).error).toMatch(/^Redis cannot be reached/);
      // the page itself needs no Redis
      expect((await answer(url, 8_000))?.status).toBe(200);
      await own.up();
      await until('the queues shown again', async () => ((await answer(`${url}api/queues`, 5_000))?.status === 200 ? true : undefined), 30_000);
      await own.kill();
      // stopped while Redis is down: at once, exit 0
      const asked = Date.now();
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      expect(Date.now() - asked).toBeLessThan(5_000);
    } finally {
      d.child.kill('SIGKILL');
      await queue.close().catch(() => undefined);
      connection.disconnect();
      await own.stop();
    }
  }, 120_000);

  it("watch's and worker's /metrics and /healthz: GET and HEAD only, any query string, a strict exposition with bounded labels", async () => {
    const watch = command(['watch', '-c', setup.configFile]);
    const worker = command(['worker', '-c', setup.configFile]);
    try {
      const w = (await watch.line('watch started')) as { metrics: string };
      const k = (await worker.line('worker started')) as { metrics: string };
      writeFileSync(path.join(setup.inbox('op-alpha'), 'f-1.xml'), invoiceNumbered(1));
      writeFileSync(path.join(setup.inbox('op-alpha'), 'broken.xml'), '<Invoice>');
      await until('two outcomes', async () => ((await (await fetch(k.metrics)).text()).match(/^chorus_flux_files_total\{/gm)?.length === 2 ? true : undefined), 60_000);
      for (const metricsUrl of [w.metrics, k.metrics]) {
        const base = metricsUrl.replace(/\/metrics$/, '');
        for (const route of ['/metrics', '/healthz']) {
          for (const method of ['POST', 'PUT', 'DELETE']) {
            const r = await fetch(base + route, { method });
            expect([route, method, r.status, r.headers.get('allow')]).toEqual([route, method, 405, 'GET, HEAD']);
          }
          const head = await fetch(base + route, { method: 'HEAD' });
          expect([route, head.status, await head.text()]).toEqual([route, 200, '']);
          expect([route, (await fetch(`${base}${route}?probe=1`)).status]).toEqual([route, 200]);
        }
        expect((await fetch(`${base}/nope`)).status).toBe(404);
        expect((await fetch(`${base}/nope`, { method: 'POST' })).status).toBe(404);
        const res = await fetch(metricsUrl);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        const families = parseExposition(await res.text());
        expect(namingProblems(families, 'chorus_flux_')).toEqual([]);
        const ours = [...families.values()].filter((f) => f.name.startsWith('chorus_flux_') && !/^chorus_flux_(process|nodejs)_/.test(f.name));
        expect(ours.length).toBeGreaterThan(10);
        for (const f of ours) {
          expect([f.name, f.help.length > 10]).toEqual([f.name, true]);
          for (const s of f.samples) for (const l of Object.keys(s.labels)) expect([f.name, l, BOUNDED_LABELS.has(l)]).toEqual([f.name, l, true]);
        }
        // the files processed show, with their partner and outcome, never their names
        if (metricsUrl === k.metrics) {
          const outcomes = families.get('chorus_flux_files_total')?.samples.map((s) => s.labels.outcome).sort();
          expect(outcomes).toEqual(['accepted', 'refused']);
          expect(families.get('chorus_flux_processing_seconds')?.samples.length).toBeGreaterThan(0);
        }
      }
    } finally {
      watch.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      await Promise.race([Promise.all([watch.exited, worker.exited]), sleep(30_000, undefined, { ref: false })]);
      watch.child.kill('SIGKILL');
      worker.child.kill('SIGKILL');
    }
  }, 120_000);
});
