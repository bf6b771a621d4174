/**
 * The two paths of the configuration guard (runner/config-skew.ts, queue/config-reference.ts)
 * that only `watch` takes, as the operator sees them, with real processes:
 *
 * - two `watch`es (two machines on the same inboxes) with different files publish on the same
 *   prefix: each says, at level error, which other watch (its file, its machine) differs, and in
 *   which section;
 * - Redis refusing the publication (its memory limit reached, noeviction): until 2026-12-07 the
 *   operator read `(EXECABORT Transaction discarded because of previous errors.)` instead of
 *   the reason, and `watch` then ended in a stack trace (`system failure: ReplyError: OOM …`)
 *   when it scheduled the nightly reconciliation: at every restart of its unit, for as long as
 *   Redis was full. A refusal at a rescan (the file edited meanwhile) was said nowhere, right after
 *   `watch` had said the workers were compared with the edited file. Now `watch` stays up, says
 *   why in plain words, once, and publishes (and schedules) once Redis has room, which a worker
 *   on another file then obeys.
 */
import { hostname } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis, { type Redis } from 'ioredis';
import { configDigests } from '../../src/config/config-digest';
import { reconcileQueue } from '../../src/queue/flux-queue';
import { NIGHTLY_RECONCILIATION } from '../../src/queue/nightly-schedule';
import { readReference } from '../../src/queue/config-reference';
import { daemonHealth, loggedDaemon, untilHolds, type LoggedDaemon } from '../helpers/logged-daemon';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';

const describeOwnRedis = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

/** A copy of the setup's configuration file without Valmont in the routing table (the file before a change). */
function olderFile(setup: ReturnType<typeof prodSetup>): string {
  const file = path.join(setup.dir, 'config-old.json');
  const raw = JSON.parse(readFileSync(setup.configFile, 'utf8')) as { recipients: { siret: string }[] };
  writeFileSync(file, JSON.stringify({ ...raw, recipients: raw.recipients.filter((r) => r.siret !== '21787789300016') }, null, 2));
  return file;
}

const saying = (d: LoggedDaemon, text: string) => d.lines().filter((l) => String(l.msg).includes(text));

/** Generous deadlines: a daemon's start on a loaded 2-core host takes seconds; none is a speed goal. */
const START_MS = 90_000;

describeRedis('two watches on the same prefix with different configuration files', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 300 } });
  const daemons: LoggedDaemon[] = [];
  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await Promise.all(daemons.map((d) => d.exited));
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('each says at level error which other watch differs, from which file on which machine, and in which section', async () => {
    redis = redisClient();
    const oldFile = olderFile(setup);
    const a = loggedDaemon('watch', setup.configFile, setup.dir, '-a');
    daemons.push(a);
    await untilHolds('watch A started', () => saying(a, 'watch started').length > 0, START_MS);
    const b = loggedDaemon('watch', oldFile, setup.dir, '-b');
    daemons.push(b);
    await untilHolds('watch B started', () => saying(b, 'watch started').length > 0, START_MS);
    // B found A's configuration in Redis: the previous watch's, for all it knows
    expect(saying(b, "this watch's configuration differs from the previous watch's in recipients")).toHaveLength(1);

    // then each rescan overwrites the other's: each finds the other's in its place (no schedule assumed: whichever rescans first)
    const other = (d: LoggedDaemon) => saying(d, 'another watch (');
    await untilHolds('both watches say the other differs', () => other(a).length > 0 && other(b).length > 0, START_MS);
    const host = hostname();
    for (const [d, itsOther] of [
      [a, oldFile],
      [b, setup.configFile],
    ] as const) {
      const [line] = other(d);
      expect(line).toMatchObject({ level: 50, differs: ['recipients'], otherWatch: itsOther, otherHost: host });
      expect(line.msg).toBe(`another watch (${itsOther} on ${host}) runs with a configuration that differs from this one's in recipients: workers take jobs or not depending on which watch spoke last; give every watch the same configuration file`);
      // the other's words only, never its own file taken for another watch's
      for (const l of other(d)) expect(l.otherWatch).toBe(itsOther);
    }
    // what Redis holds is one of the two, whole
    const held = await readReference(redis, setup.config.redis.prefix);
    expect([setup.configFile, oldFile]).toContain(held?.source);
    for (const d of [a, b]) expect(d.child.exitCode).toBeNull();
    for (const d of [a, b]) d.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  }, 360_000);
});

describeOwnRedis('a Redis that refuses the publication of the watch configuration (maxmemory reached, noeviction)', () => {
  it('keeps watch up, says why in plain words once, then publishes and schedules once Redis has room; a refusal at a rescan is said too', async () => {
    const own = await OwnRedis.start();
    const admin = new IORedis(own.url);
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 300 }, extra: { redis: { url: own.url, prefix: 'refused-ref' } } });
    const oldFile = olderFile(setup);
    const daemons: LoggedDaemon[] = [];
    const nightly = reconcileQueue(setup.config, admin);
    try {
      // the server's own policy (noeviction, its default): it refuses writes rather than evict keys
      expect(await admin.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await admin.config('SET', 'maxmemory', '1');
      const watch = loggedDaemon('watch', setup.configFile, setup.dir);
      daemons.push(watch);
      await untilHolds('watch started, or ended', () => saying(watch, 'watch started').length > 0 || watch.child.exitCode !== null, START_MS);
      expect(watch.text()).not.toContain('system failure');
      expect(watch.child.exitCode).toBeNull();
      const refused = () => saying(watch, "this watch's configuration could not be published");
      expect(refused().map((l) => [l.level, l.msg])).toEqual([
        [40, "this watch's configuration could not be published for the workers to compare theirs with (Redis refuses writes: it has reached its memory limit (maxmemory). Raise maxmemory or free memory; files wait in their inbox or in processing/ and are queued when Redis takes writes again): tried again at each rescan"],
      ]);
      expect(watch.text()).not.toContain('EXECABORT');
      expect(saying(watch, 'the nightly reconciliation could not be scheduled (Redis refuses writes: it has reached its memory limit')).toHaveLength(1);
      // several rescans (every 300 ms) while Redis still refuses: nothing said again, nothing in Redis
      await sleep(2000);
      expect(refused()).toHaveLength(1);
      expect(saying(watch, 'could not be scheduled')).toHaveLength(1);
      expect(await readReference(admin, 'refused-ref')).toBeUndefined();

      // Redis has room again: published and scheduled at the next rescan, each said
      await admin.config('SET', 'maxmemory', '0');
      await untilHolds('the configuration published', () => saying(watch, "this watch's configuration is published now").length > 0, START_MS);
      await untilHolds('the nightly reconciliation scheduled', () => saying(watch, 'the nightly reconciliation is scheduled now').length > 0, START_MS);
      expect(await readReference(admin, 'refused-ref')).toMatchObject({ source: setup.configFile, digests: configDigests(setup.config) });
      expect(await nightly.getJobScheduler(NIGHTLY_RECONCILIATION)).toBeTruthy();
      // not taken for another watch (its own first publication)
      expect(saying(watch, 'another watch (')).toEqual([]);

      // a worker on the file before the change is held back by it
      const worker = loggedDaemon('worker', oldFile, setup.dir);
      daemons.push(worker);
      await untilHolds('the worker held back, and started', () => saying(worker, "this worker's configuration differs from the watcher's").length > 0 && worker.lines().some((l) => typeof l.metrics === 'string'), START_MS);
      expect((await daemonHealth(worker)).status).toBe(503);

      // Redis full again, and watch's file edited to the worker's: the edit cannot be published, and watch says so
      await admin.config('SET', 'maxmemory', '1');
      writeFileSync(setup.configFile, readFileSync(oldFile));
      await untilHolds('watch reads its edited file', () => saying(watch, 'the configuration file changed').length > 0, START_MS);
      await untilHolds('the refusal at a rescan said', () => refused().length === 2, START_MS);
      expect(refused()[1]).toMatchObject({ level: 40 });
      expect(refused()[1].msg).toMatch(/\(Redis refuses writes: it has reached its memory limit \(maxmemory\)\..*\): tried again at each rescan; until then the workers are compared with the configuration Redis holds, if any$/);
      await sleep(2000);
      expect(refused()).toHaveLength(2);
      // Redis still holds the former digests: the worker on the edited file's contents is still held back
      expect(await readReference(admin, 'refused-ref')).toMatchObject({ digests: configDigests(setup.config) });
      expect(saying(worker, "matches the watcher's again")).toEqual([]);

      // room again: the edit published, the worker takes jobs again by itself
      await admin.config('SET', 'maxmemory', '0');
      await untilHolds('the edit published', () => saying(watch, "this watch's configuration is published now").length === 2, START_MS);
      await untilHolds('the worker matches again', () => saying(worker, "matches the watcher's again").length > 0, START_MS);
      expect((await daemonHealth(worker)).status).toBe(200);
      // its own former digests are not another watch's, nor the previous watch's
      expect(saying(watch, 'another watch (')).toEqual([]);
      expect(saying(watch, "differs from the previous watch's")).toEqual([]);
      for (const d of daemons) d.child.kill('SIGTERM');
      expect(await Promise.all(daemons.map((d) => d.exited))).toEqual([0, 0]);
    } finally {
      for (const d of daemons) d.child.kill('SIGKILL');
      await Promise.all(daemons.map((d) => d.exited));
      await nightly.close();
      admin.disconnect();
      await own.stop();
    }
  }, 480_000);
});
