/**
 * /healthz of `watch` and `worker` while their Redis is down (killed, as a crash or a
 * `systemctl stop redis`): 503, `redis: "down"`, `redisTrouble: "unreachable"`, as
 * docs/OPERATIONS.md ("Metrics and health") says; 200 and `redis: "up"` once it is back.
 * Found by the operator audit of 2026-12-07: the worker said `redis: "in trouble"` where the
 * watcher said `down`, so a probe matching the documented `down` never saw a worker's outage.
 */
import { redisServerAvailable } from '../helpers/redis-server';
import { daemon } from '../helpers/daemon';
import { ownRedisPerTest } from '../helpers/frozen-redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

function healthUrl(stderr: string): string {
  const started = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { metrics?: string }).find((l) => typeof l.metrics === 'string');
  if (!started?.metrics) throw new Error('the daemon has not said where its metrics are');
  return started.metrics.replace(/\/metrics$/, '/healthz');
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describeIf('/healthz while Redis is down', () => {
  const own = ownRedisPerTest();

  it('watch and worker both say redis "down" (503), then "up" (200) once Redis is back', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: own.redis.url, prefix: 'cf-healthz-down' } } });
    const w = daemon('watch', setup.configFile);
    const k = daemon('worker', setup.configFile);
    own.daemons.push(w, k);
    await w.said('watch started');
    await k.said('worker started');
    const urls = [healthUrl(w.stderr()), healthUrl(k.stderr())];
    for (const u of urls) expect(await health(u)).toMatchObject({ status: 200, body: { status: 'ok', redis: 'up' } });

    await own.redis.kill();
    for (const u of urls) {
      const h = await until(`${u} to say 503`, async () => {
        const r = await health(u);
        return r.status === 503 && r.body.redisTrouble !== undefined ? r : undefined;
      }, 20_000);
      expect(h.body).toMatchObject({ status: 'unhealthy', redis: 'down', redisTrouble: 'unreachable', says: 'Redis cannot be reached' });
    }

    await own.redis.up();
    for (const u of urls) {
      await until(`${u} to say 200`, async () => ((await health(u)).status === 200 ? true : undefined), 30_000);
      expect(await health(u)).toMatchObject({ status: 200, body: { redis: 'up' } });
    }
    for (const d of [w, k]) d.kill('SIGTERM');
    expect((await Promise.all([w.exited, k.exited])).map((e) => e.code)).toEqual([0, 0]);
  }, 90_000);
});
