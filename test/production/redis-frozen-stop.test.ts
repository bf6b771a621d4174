/**
 * A worker stopped (SIGTERM) while Redis is frozen (`kill -STOP` of a redis-server of the test's
 * own: its connections open, nothing answered), found by `killfuzz --kill redis-freeze`:
 *
 * - its processing thread closed its own Redis connection with a QUIT, which a frozen Redis
 *   never answers: every such stop took the thread's 5 s close timeout on top, after Redis was
 *   given up on;
 * - once given up, the stop's own disconnection rejected what BullMQ still had waiting (a lock
 *   renewal), which was logged after "worker stopped" as "worker: Redis cannot be reached
 *   (reconnecting)": an outage the process caused itself, and a reconnection that never came.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { invoiceNumbered } from '../helpers/generate-flows';
import { redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { daemon, type Daemon } from '../helpers/daemon';
import { bigInvoice, ownRedisPerTest, queueClaimed } from '../helpers/frozen-redis';
import { until } from '../helpers/until';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

/** What the daemon said, each line with its time (ms since the epoch). */
function said(d: Daemon): { at: number; level: number; msg: string; err?: string }[] {
  return d
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { time: number; level: number; msg: string; err?: { message?: string } })
    .map((j) => ({ at: j.time, level: j.level, msg: j.msg, err: j.err?.message }));
}

describeIf('a worker stopped while Redis is frozen', () => {
  const own = ownRedisPerTest();
  const { daemons } = own;

  it('its processing thread running: stopped as soon as Redis is given up on, not after the thread waited 5 s for a QUIT', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen-stop' } } });
    await queueClaimed(setup, own.redis.url, 'a.xml', invoiceNumbered(3));
    const k = daemon('worker', setup.configFile);
    daemons.push(k);
    await k.said('outcome: accepted'); // the thread is up, with its connection
    own.redis.freeze();
    await k.said('worker: Redis does not answer', 20_000);
    const sent = Date.now();
    k.kill('SIGTERM');
    const end = await k.exited;
    expect([end.code, end.signal]).toEqual([0, null]);
    const lines = said(k);
    const gaveUp = lines.find((l) => l.msg.startsWith('Redis could not be reached as the worker stopped'));
    const stopped = lines.find((l) => l.msg === 'worker stopped');
    process.stdout.write(`given up ${gaveUp!.at - sent} ms, stopped ${stopped!.at - sent} ms, exited ${end.at - sent} ms after the signal\n`);
    // the thread's close timeout was 5 s: a stop that took it is this defect, whatever the load
    expect(stopped!.at - sent).toBeLessThan(4000);
  }, 120_000);

  it('a file in hand, a short lock: what giving up rejects (its lock renewal) is not logged as Redis out of reach after the stop', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 3000, shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen-stop' } } });
    const { sha256: sha } = await queueClaimed(setup, own.redis.url, 'big.xml', bigInvoice(9, 8000));
    const k = daemon('worker', setup.configFile);
    daemons.push(k);
    await k.said('worker started');
    const lock = path.join(setup.config.paths.state, 'locks', `${sha}.lock`);
    await until('the file in hand', async () => (existsSync(lock) ? true : undefined), 30_000);
    own.redis.freeze();
    k.kill('SIGTERM');
    const end = await k.exited;
    expect([end.code, end.signal]).toEqual([0, null]);
    const lines = said(k);
    expect(lines.some((l) => l.msg.startsWith('Redis could not be reached as the worker stopped'))).toBe(true);
    // Redis said silent (not-answering), then the stop's line: nothing claims it dropped or reconnects
    expect(lines.filter((l) => /cannot be reached|reconnecting/.test(l.msg)).map((l) => `${l.msg} [${l.err}]`)).toEqual([]);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
  }, 120_000);
});
