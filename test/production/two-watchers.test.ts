/**
 * Two watcher processes on the same inbox never claim the same file twice.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { fluxQueue } from '../../src/queue/flux-queue';
import { ROOT } from '../helpers/cli';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { untilHolds } from '../helpers/logged-daemon';

import { setTimeout as sleep } from 'node:timers/promises';
const N = 300;

function startWatch(configFile: string) {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'watch', '-c', configFile, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return { child, stderr: () => err, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
}

describeRedis('two watchers on one inbox', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 300, pollMs: 50, rescanMs: 200 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it(`claim each of ${N} files exactly once`, async () => {
    redis = redisClient();
    const w1 = startWatch(setup.configFile);
    const w2 = startWatch(setup.configFile);
    // both watching before the files come (was a fixed 3 s: on a loaded host one watch still
    // starting then, the other claimed all the files alone and "both took part" failed)
    await untilHolds('both watches started', () => [w1, w2].every((w) => w.stderr().includes('"watch started"')), 90_000);
    for (let k = 0; k < N; k++) writeFileSync(path.join(setup.inbox('op-alpha'), `f-${k}.xml`), `<Invoice n="${k}"/>`);
    const q = fluxQueue(setup.config, redis);
    // every file queued: waited for (was at most 20 s, then asserted: 112 of 300 under load)
    await untilHolds(`${N} jobs queued`, async () => (await q.getJobCountByTypes('waiting', 'active', 'delayed')) >= N, 180_000);
    await sleep(1500); // let any double claim show up
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
    expect(await w1.exited).toBe(0);
    expect(await w2.exited).toBe(0);
    expect(await q.getJobCountByTypes('waiting', 'active', 'delayed')).toBe(N);
    await q.close();
    expect(readdirSync(setup.inbox('op-alpha'))).toEqual([]);
    expect(readdirSync(path.join(setup.config.paths.processing, 'op-alpha'))).toHaveLength(N);
    const journalDir = path.join(setup.config.paths.out, 'journal');
    const claims = readdirSync(journalDir).flatMap((day) =>
      readdirSync(path.join(journalDir, day)).flatMap((f) =>
        readFileSync(path.join(journalDir, day, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.event === 'claimed').map((l) => ({ file: l.file, writer: l.writer })),
      ),
    );
    expect(claims).toHaveLength(N);
    expect(new Set(claims.map((c) => c.file)).size).toBe(N);
    // both watchers did take part
    expect(new Set(claims.map((c) => c.writer)).size).toBe(2);
  }, 360_000);
});
