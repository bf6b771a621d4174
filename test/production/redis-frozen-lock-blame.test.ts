/**
 * A job's lock lapsed while Redis was frozen for less than the 3 s after which a daemon calls it
 * `not-answering` (redis-answers.ts), with a short `worker.lockDurationMs`: found by `killfuzz
 * --kill redis-freeze` (3 s locks), whose workers then blamed "this worker's main thread was held
 * up … (a machine overloaded, swapping?)", sending an operator after the wrong machine. The PING
 * answered late says Redis was held up: the lock line now says so.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fluxQueue } from '../../src/queue/flux-queue';
import { createRedis } from '../../src/queue/redis';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { claimAndQueue } from '../helpers/queue-claimed';
import { daemon, type Daemon } from '../helpers/daemon';
import { until } from '../helpers/until';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

/** A UBL invoice of `n` lines, numbered `k`: seconds to process. */
function bigInvoice(k: number, n: number): string {
  const base = invoiceNumbered(k);
  const line = /<cac:InvoiceLine>[^]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no line in the base invoice');
  return base.replace(line, Array.from({ length: n }, (_, i) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n'));
}

describeIf('a lock lapsed in a freeze shorter than the not-answering deadline', () => {
  let redis: OwnRedis;
  const daemons: Daemon[] = [];
  beforeEach(async () => {
    redis = await OwnRedis.start();
  });
  afterEach(async () => {
    redis.thaw();
    for (const d of daemons.splice(0)) d.kill('SIGKILL');
    await redis.stop();
  });

  it('is put down to Redis held up, not to the main thread of the worker', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, shutdownTimeoutMs: 20_000 }, extra: { redis: { url: redis.url, prefix: 'cf-lock-blame' } } });
    const src = path.join(setup.inbox('op-alpha'), 'big.xml');
    writeFileSync(src, bigInvoice(9, 12000));
    const conn = createRedis({ url: redis.url });
    const queue = fluxQueue(setup.config, conn);
    const { data } = await claimAndQueue(setup.config, queue, 'op-alpha', src);
    await queue.close();
    await conn.quit();
    const k = daemon('worker', setup.configFile);
    daemons.push(k);
    await k.said('worker started');
    const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
    await until('the file in hand', async () => (existsSync(lock) ? true : undefined), 30_000);
    // 2.2 s: past the 1 s lock, under the 3 s of a silence
    redis.freeze();
    await sleep(2200);
    redis.thaw();
    await k.said("a job's lock could not be renewed in time", 30_000);
    const line = k.messages().find((m) => m.includes("a job's lock could not be renewed in time"))!;
    expect(k.messages().some((m) => m.includes('Redis does not answer'))).toBe(false); // under the deadline indeed
    expect(line).toContain('Redis was slow to answer just before');
    expect(line).not.toContain('main thread was held up');
    k.kill('SIGTERM');
    expect((await k.exited).code).toBe(0);
  }, 120_000);
});
