/**
 * A job's lock lapsed while Redis was frozen for less than the 3 s after which a daemon calls it
 * `not-answering` (redis-answers.ts), with a short `worker.lockDurationMs`: found by `killfuzz
 * --kill redis-freeze` (3 s locks), whose workers then blamed "this worker's main thread was held
 * up … (a machine overloaded, swapping?)", sending an operator after the wrong machine. The PING
 * answered late says Redis was held up: the lock line now says so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { daemon, type Daemon } from '../helpers/daemon';
import { bigInvoice, ownRedisPerTest, queueClaimed } from '../helpers/frozen-redis';
import { until } from '../helpers/until';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('a lock lapsed in a freeze shorter than the not-answering deadline', () => {
  const own = ownRedisPerTest();
  const { daemons } = own;

  it('is put down to Redis held up, not to the main thread of the worker', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-lock-blame' } } });
    const data = await queueClaimed(setup, own.redis.url, 'big.xml', bigInvoice(9, 12000));
    const k = daemon('worker', setup.configFile);
    daemons.push(k);
    await k.said('worker started');
    const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
    await until('the file in hand', async () => (existsSync(lock) ? true : undefined), 30_000);
    // 2.2 s: past the 1 s lock, under the 3 s of a silence
    own.redis.freeze();
    await sleep(2200);
    own.redis.thaw();
    await k.said("a job's lock could not be renewed in time", 30_000);
    const line = k.messages().find((m) => m.includes("a job's lock could not be renewed in time"))!;
    expect(k.messages().some((m) => m.includes('Redis does not answer'))).toBe(false); // under the deadline indeed
    expect(line).toContain('Redis was slow to answer just before');
    expect(line).not.toContain('main thread was held up');
    k.kill('SIGTERM');
    expect((await k.exited).code).toBe(0);
  }, 120_000);
});
