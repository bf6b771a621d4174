/**
 * Issue #7: SIGTERM (systemctl stop, a restart) while Redis cannot be reached. An idle `watch`
 * or `worker` took its whole shutdown bound (worker.shutdownTimeoutMs, 20 s by default, and a
 * second) to stop, then logged `shutdown bound reached: exiting` as if work had been cut: what
 * waited on Redis (the rescan asking which claimed files have a job, the nightly schedule's
 * check, BullMQ's own calls) sat in ioredis's offline queue, which a client between two
 * reconnection attempts never rejects. Now what waits only on Redis is given up at once: both
 * exit 0 within a few seconds, say why, and a file claimed but not queued stays in processing/,
 * whole, and is queued by the next watcher once Redis is back. A worker's file in hand is still
 * finished first (outcome journaled, file removed), then the worker exits without waiting on
 * Redis for the job's completion.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile } from '../../src/ingest/claim';
import { fluxJobId, fluxQueue } from '../../src/queue/flux-queue';
import { createRedis } from '../../src/queue/redis';
import { sha256OfFile } from '../../src/util/hash';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { claimAndQueue } from '../helpers/queue-claimed';
import { daemon } from '../helpers/daemon';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

/** A UBL invoice of `n` lines, numbered `k` (about 0.7 KB a line): seconds to process. */
function bigInvoice(k: number, n: number): string {
  const base = invoiceNumbered(k);
  const line = /<cac:InvoiceLine>[^]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no line in the base invoice');
  return base.replace(line, Array.from({ length: n }, (_, i) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n'));
}

/** Every journal line of every writer, in file order. */
function journalLines(out: string): { event: string; writer: string; seq: number; sha256?: string; ts: string }[] {
  const dir = path.join(out, 'journal');
  const lines: { event: string; writer: string; seq: number; sha256?: string; ts: string }[] = [];
  for (const day of readdirSync(dir)) for (const f of readdirSync(path.join(dir, day))) for (const l of readFileSync(path.join(dir, day, f), 'utf8').split('\n')) if (l) lines.push(JSON.parse(l));
  return lines;
}

describeIf('SIGTERM while Redis cannot be reached', () => {
  let redis: OwnRedis;
  beforeEach(async () => {
    redis = await OwnRedis.start();
  });
  afterEach(async () => {
    await redis.stop();
  });

  it('watch: exit 0 within seconds, not its 21 s bound; the claimed file waits whole in processing/ and is queued by the next watch once Redis is back', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 500 }, worker: { shutdownTimeoutMs: 20_000 }, extra: { redis: { url: redis.url, prefix: 'cf-stop-outage' } } });
    const inbox = setup.inbox('op-alpha');
    const d = daemon('watch', setup.configFile);
    await d.said('watch started');
    await redis.kill();
    await d.said('Redis cannot be reached');
    // claimed during the outage, its job not made (by a watcher stopped between the two): the
    // rescan asks Redis for its job once the claim is older than its grace (5 s), and waits
    writeFileSync(path.join(inbox, 'f.xml'), invoiceNumbered(1));
    const claimed = await claimFile(path.join(inbox, 'f.xml'), setup.config.paths.processing, 'op-alpha', 'f.xml');
    if (!claimed) throw new Error('not claimed');
    const bytes = readFileSync(claimed.path);
    await sleep(6500);
    const sent = Date.now();
    d.kill('SIGTERM');
    const end = await d.exited;
    process.stdout.write(`watch stopped in ${end.at - sent} ms\n`);
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(end.at - sent).toBeLessThan(5000);
    expect(d.messages()).not.toContain('shutdown bound reached: exiting');
    expect(d.messages().some((m) => m.startsWith('watch stopped'))).toBe(true);
    expect(d.messages()).not.toContain('found in processing and queued again');
    // nothing half-done: the file whole in processing/, the journal's last line its stop
    expect(readFileSync(claimed.path)).toEqual(bytes);
    expect(readdirSync(inbox)).toEqual([]);
    expect(journalLines(setup.config.paths.out).at(-1)?.event).toBe('stop');

    // Redis back (empty): a watch started again queues the file
    await redis.up();
    const again = daemon('watch', setup.configFile);
    try {
      await again.said('found in processing and queued again', 30_000);
    } finally {
      again.kill('SIGTERM');
    }
    expect((await again.exited).code).toBe(0);
    const conn = createRedis({ url: redis.url });
    const queue = fluxQueue(setup.config, conn);
    try {
      const job = await queue.getJob(fluxJobId(await sha256OfFile(claimed.path), claimed.claimId));
      expect(job?.data.path).toBe(claimed.path);
    } finally {
      await queue.close();
      await conn.quit();
    }
    expect(journalLines(setup.config.paths.out).filter((l) => l.event === 'requeued')).toHaveLength(1);
  }, 120_000);

  it('worker: exit 0 within seconds, not its 21 s bound', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { shutdownTimeoutMs: 20_000 }, extra: { redis: { url: redis.url, prefix: 'cf-stop-outage' } } });
    const d = daemon('worker', setup.configFile);
    await d.said('worker started');
    await redis.kill();
    await d.said('Redis cannot be reached');
    await sleep(2000);
    const sent = Date.now();
    d.kill('SIGTERM');
    const end = await d.exited;
    process.stdout.write(`worker stopped in ${end.at - sent} ms\n`);
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(end.at - sent).toBeLessThan(5000);
    expect(d.messages()).not.toContain('shutdown bound reached: exiting');
    expect(d.messages()).toContain('worker stopped');
    expect(journalLines(setup.config.paths.out).at(-1)?.event).toBe('stop');
  }, 120_000);

  it('worker: a file in hand when Redis goes is still finished (outcome journaled, file removed), then the worker exits without waiting on Redis', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { shutdownTimeoutMs: 20_000, concurrency: 1 }, extra: { redis: { url: redis.url, prefix: 'cf-stop-outage' } } });
    const src = path.join(setup.inbox('op-alpha'), 'big.xml');
    writeFileSync(src, bigInvoice(1, 8000));
    const conn = createRedis({ url: redis.url });
    const queue = fluxQueue(setup.config, conn);
    const { data } = await claimAndQueue(setup.config, queue, 'op-alpha', src);
    await queue.close();
    await conn.quit();
    const d = daemon('worker', setup.configFile);
    await d.said('worker started');
    // in hand: its content's lock is held while it is processed
    const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
    const end0 = Date.now() + 30_000;
    while (!existsSync(lock) && Date.now() < end0) await sleep(10);
    await redis.kill();
    const sent = Date.now();
    d.kill('SIGTERM');
    const end = await d.exited;
    process.stdout.write(`worker with a file in hand stopped in ${end.at - sent} ms\n`);
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(end.at - sent).toBeLessThan(20_000);
    expect(d.messages()).not.toContain('shutdown bound reached: exiting');
    const lines = journalLines(setup.config.paths.out);
    const outcome = lines.find((l) => l.event === 'outcome' && l.sha256 === data.sha256);
    const stop = lines.find((l) => l.event === 'stop');
    // finished after the signal, before the worker's stop line (the thread journals in a file of its own)
    expect(outcome).toBeDefined();
    expect(Date.parse(outcome!.ts)).toBeGreaterThan(sent);
    expect(Date.parse(stop!.ts)).toBeGreaterThanOrEqual(Date.parse(outcome!.ts));
    expect(readdirSync(path.join(setup.config.paths.processing, 'op-alpha'))).toEqual([]);
    expect(d.messages()).toContain('Redis could not be reached as the worker stopped, no file in hand: what waited on it was given up; jobs taken and not finished are taken again once their locks expire');
  }, 120_000);

  it('Redis up: nothing is given up; a worker with a file in hand drains, its job completed in Redis, as before', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { shutdownTimeoutMs: 20_000, concurrency: 1 }, extra: { redis: { url: redis.url, prefix: 'cf-stop-outage' } } });
    const w = daemon('watch', setup.configFile);
    await w.said('watch started');
    await sleep(1000);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
    expect(w.messages().filter((m) => m.startsWith('Redis could not be reached'))).toEqual([]);

    const src = path.join(setup.inbox('op-alpha'), 'big.xml');
    writeFileSync(src, bigInvoice(2, 3000));
    const conn = createRedis({ url: redis.url });
    const queue = fluxQueue(setup.config, conn);
    try {
      const { id, data } = await claimAndQueue(setup.config, queue, 'op-alpha', src);
      const d = daemon('worker', setup.configFile);
      await d.said('worker started');
      const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
      const end0 = Date.now() + 30_000;
      while (!existsSync(lock) && Date.now() < end0) await sleep(10);
      d.kill('SIGTERM');
      const end = await d.exited;
      expect([end.code, end.signal]).toEqual([0, null]);
      expect(d.messages().filter((m) => m.startsWith('Redis could not be reached'))).toEqual([]);
      // the worker's close disconnects BullMQ's blocking connection first: not taken for Redis down
      expect(d.stderr()).toContain('"how":"drained"');
      expect(await queue.getJobState(id)).toBe('completed');
    } finally {
      await queue.close();
      await conn.quit();
    }
  }, 120_000);
});
