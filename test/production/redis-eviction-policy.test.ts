/**
 * A Redis whose maxmemory-policy is not noeviction (managed services default to volatile-lru):
 * BullMQ needs noeviction. `watch` and `worker` start all the same (what must survive is on disk)
 * but say it once, in their log, with what to set, where BullMQ printed a raw line of its own on
 * stderr for each of its connections (five or more per daemon); /healthz shows the policy.
 * A redis-server of the test's own (CONFIG SET maxmemory-policy on it), real processes.
 */
import IORedis from 'ioredis';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { daemonHealth, loggedDaemon, untilHolds, type LoggedDaemon } from '../helpers/logged-daemon';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

const start = (command: 'watch' | 'worker', configFile: string, dir: string, tag: string) => loggedDaemon(command, configFile, dir, `-${tag}`);
const until = untilHolds;
/** its /healthz body, with the HTTP status as `httpStatus` */
async function health(d: LoggedDaemon): Promise<Record<string, unknown>> {
  const h = await daemonHealth(d);
  return { httpStatus: h.status, ...h.body };
}

const POLICY_LINE = /^Redis's maxmemory-policy is (\S+); BullMQ needs noeviction: .*Set maxmemory-policy noeviction/;

describeIf("a Redis whose maxmemory-policy is not noeviction", () => {
  it('is said once by watch and worker at start, with what to set, instead of BullMQ\'s raw lines; /healthz shows it', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: redis.url, prefix: 'policy' } } });
    const round = async (tag: string) => {
      const daemons = [start('watch', setup.configFile, setup.dir, tag), start('worker', setup.configFile, setup.dir, tag)];
      try {
        await until('both daemons started', () => daemons.every((d) => d.lines().some((l) => typeof l.metrics === 'string')), 60_000);
        await until('both know the policy', async () => (await Promise.all(daemons.map(health))).every((h) => typeof h.redisMaxmemoryPolicy === 'string'), 20_000);
        return { daemons, healths: await Promise.all(daemons.map(health)) };
      } finally {
        for (const d of daemons) d.child.kill('SIGTERM');
        await Promise.all(daemons.map((d) => d.exited));
      }
    };
    try {
      // noeviction: nothing said, the policy on /healthz
      const quiet = await round('noeviction');
      for (const d of quiet.daemons) expect(d.lines().filter((l) => /maxmemory-policy/.test(String(l.msg)))).toEqual([]);
      for (const h of quiet.healths) expect(h).toMatchObject({ httpStatus: 200, redisMaxmemoryPolicy: 'noeviction' });

      for (const policy of ['allkeys-lru', 'volatile-lru']) {
        await admin.config('SET', 'maxmemory-policy', policy);
        const { daemons, healths } = await round(policy);
        for (const d of daemons) {
          const said = d.lines().filter((l) => POLICY_LINE.test(String(l.msg)));
          expect(said).toHaveLength(1);
          expect(said[0]).toMatchObject({ level: 40, maxmemoryPolicy: policy });
          expect(POLICY_LINE.exec(String(said[0].msg))?.[1]).toBe(policy);
          expect(d.text()).not.toMatch(/IMPORTANT! Eviction policy/);
        }
        // a warning, not unhealthy: the daemons work on, what must survive is on disk
        for (const h of healths) expect(h).toMatchObject({ httpStatus: 200, redisMaxmemoryPolicy: policy });
      }
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  }, 180_000);
});
