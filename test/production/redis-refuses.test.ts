/**
 * A Redis that refuses writes (it reached its maxmemory, as a production Redis with a memory
 * limit does when jobs pile up): it still answers PING, but every job and every BullMQ update
 * is refused with "OOM command not allowed". The watcher used to die on the first refused job
 * (an unhandled rejection of its poll timer), leaving the file it had just claimed in
 * processing/ with no one to queue it again. Now: watch and worker stay up, say what is wrong
 * once (not at every retry), report it on /healthz, leave the new files in their inbox, and
 * once Redis takes writes again every file gets exactly one outcome. A real Redis of the
 * test's own (CONFIG SET maxmemory on it), real processes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';
import { daemonHealth, loggedDaemon, untilHolds } from '../helpers/logged-daemon';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

const start = (command: 'watch' | 'worker', configFile: string, dir: string) => loggedDaemon(command, configFile, dir);
const until = untilHolds;
const health = daemonHealth;

const OOM_SENTENCE = /^Redis refuses writes: it has reached its memory limit/;

describeIf('a Redis that refuses writes (maxmemory reached)', () => {
  it('keeps watch and worker up, says so once, and gives every file one outcome when Redis has room again', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 300, pollMs: 100, rescanMs: 500 }, worker: { concurrency: 2, lockDurationMs: 3000, attempts: 20, backoffMs: 100 }, extra: { redis: { url: redis.url, prefix: 'full' } } });
    const inbox = setup.inbox('op-alpha');
    const out = setup.config.paths.out;
    const journal = path.join(out, 'journal');
    const outcomes = (): string[] => {
      try {
        return readdirSync(journal).flatMap((day) => readdirSync(path.join(journal, day)).flatMap((f) => readFileSync(path.join(journal, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; sha256: string }).filter((l) => l.event === 'outcome').map((l) => l.sha256)));
      } catch {
        return [];
      }
    };
    const shaOf = (s: string) => createHash('sha256').update(s).digest('hex');
    const watch = start('watch', setup.configFile, setup.dir);
    const worker = start('worker', setup.configFile, setup.dir);
    const daemons = [watch, worker];
    try {
      await until('both daemons started', () => daemons.every((d) => d.lines().some((l) => typeof l.metrics === 'string')), 30_000);
      const before = Array.from({ length: 10 }, (_, k) => invoiceNumbered(3100 + k));
      before.forEach((text, k) => writeFileSync(path.join(inbox, `avant-${k}.xml`), text));
      await until('the first 10 files have their outcome', () => outcomes().length >= 10, 30_000);

      // Redis at its limit: every write refused
      await admin.config('SET', 'maxmemory', '1');
      const during = Array.from({ length: 10 }, (_, k) => invoiceNumbered(3200 + k));
      during.forEach((text, k) => writeFileSync(path.join(inbox, `pendant-${k}.xml`), text));
      await until('the watcher to meet the refusal', () => watch.lines().some((l) => OOM_SENTENCE.test(String(l.msg))), 20_000);
      await sleep(1000);
      const processing = () => readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length;
      const claimedWhenRefused = processing();
      // files arriving while Redis refuses are not claimed: they wait in their inbox
      const later = Array.from({ length: 5 }, (_, k) => invoiceNumbered(3300 + k));
      later.forEach((text, k) => writeFileSync(path.join(inbox, `ensuite-${k}.xml`), text));
      await sleep(3000); // a few more polls and rescans while Redis refuses

      expect(watch.child.exitCode).toBeNull();
      expect(worker.child.exitCode).toBeNull();
      // said once, not at every attempt (the rescans try every 500 ms)
      expect(watch.lines().filter((l) => OOM_SENTENCE.test(String(l.msg)))).toHaveLength(1);
      // the file claimed when the refusal came is named, and waits in processing/
      // (files are claimed several at a time: those in flight when the refusal came are each named)
      const notQueued = watch.lines().filter((l) => /^claimed, not queued yet/.test(String(l.msg)));
      expect(claimedWhenRefused).toBeGreaterThanOrEqual(1);
      expect(notQueued.map((l) => l.file).sort()).toEqual(readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).map((f) => `op-alpha/${f.split('__')[1]}`).sort());
      expect(processing()).toBe(claimedWhenRefused); // then the watcher stops claiming
      expect(readdirSync(inbox).filter((f) => f.startsWith('ensuite-')).sort()).toEqual(later.map((_, k) => `ensuite-${k}.xml`));
      expect(readdirSync(inbox).length + processing()).toBe(15);
      const h = await health(watch);
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ status: 'unhealthy', redis: 'refusing jobs', redisTrouble: 'out-of-memory' });
      expect(String(h.body.redisSays)).toMatch(/OOM command not allowed/);

      // Redis has room again
      await admin.config('SET', 'maxmemory', '0');
      await until('every file has an outcome', () => new Set(outcomes()).size >= 25, 60_000);
      await until('the inbox and processing/ are empty', () => readdirSync(inbox).length + readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length === 0, 30_000);
      expect(watch.lines().some((l) => l.msg === 'Redis takes jobs again')).toBe(true);
      expect((await health(watch)).status).toBe(200);
    } finally {
      for (const d of daemons) d.child.kill('SIGTERM');
      const exits = await Promise.all(daemons.map((d) => d.exited));
      admin.disconnect();
      await redis.stop();
      expect(exits).toEqual([0, 0]);
    }

    // each file exactly one outcome, the same set as the files deposited
    const all = outcomes();
    expect(all).toHaveLength(25);
    expect(new Set(all)).toEqual(new Set([3100, 3200, 3300].flatMap((base) => Array.from({ length: base === 3300 ? 5 : 10 }, (_, k) => invoiceNumbered(base + k))).map(shaOf)));
    const files = listFiles(out, ['state', 'logs', 'journal']);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(25);
    const day = await reconcileDay({ config: setup.config, write: false });
    expect(day.report?.anomalies).toEqual([]);
    expect(day.exitCode).toBe(0);
  }, 180_000);

  it("answers /healthz at once while Redis is gone (watch's answer took 30-40 s, past any probe's timeout)", async () => {
    const redis = await OwnRedis.start();
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: redis.url, prefix: 'gone' } } });
    const watch = start('watch', setup.configFile, setup.dir);
    const worker = start('worker', setup.configFile, setup.dir);
    const daemons = [watch, worker];
    try {
      await until('both daemons started', () => daemons.every((d) => d.lines().some((l) => typeof l.metrics === 'string')), 30_000);
      expect((await health(watch)).status).toBe(200);
      await redis.kill();
      // each probe answers within a probe's usual timeout, and soon says Redis is gone
      for (const d of daemons) {
        const end = Date.now() + 20_000;
        for (;;) {
          const t0 = Date.now();
          const h = await health(d);
          expect(Date.now() - t0).toBeLessThan(3000);
          if (h.status === 503) break;
          if (Date.now() > end) throw new Error('/healthz still says healthy 20 s after Redis went');
          await sleep(200);
        }
      }
      expect((await health(watch)).body).toMatchObject({ status: 'unhealthy', redis: 'down' });
    } finally {
      for (const d of daemons) d.child.kill('SIGTERM');
      await Promise.all(daemons.map((d) => d.exited));
      await redis.stop();
    }
  }, 120_000);

  it('stops watch and worker at start, exit 2, when Redis refuses their password (they used to wait for ever)', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    try {
      await admin.config('SET', 'requirepass', 'n0tthis');
      const setup = prodSetup({ partners: ['op-alpha', 'si-valmont'], extra: { redis: { url: redis.url, prefix: 'auth' } } });
      for (const command of ['watch', 'worker']) {
        const r = await cli([command, '--config', setup.configFile, '--metrics-port', '0'], { timeoutMs: 30_000 });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^chorus-flux: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: Redis asks for a password, or refused the one given: put it in REDIS_URL or redis\.url .*\(NOAUTH/);
      }
      const withPassword = (password: string) => {
        const file = path.join(setup.dir, `config-${password}.json`);
        const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
        writeFileSync(file, JSON.stringify({ ...raw, redis: { ...raw.redis, url: redis.url.replace('//', `//:${password}@`) } }));
        return file;
      };
      const wrong = await cli(['worker', '--config', withPassword('s3cret'), '--metrics-port', '0'], { timeoutMs: 30_000 });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/refused the one given.*\(WRONGPASS/);
      expect(wrong.stderr).not.toContain('s3cret');
      const right = await cli(['jobs', '--config', withPassword('n0tthis')], { timeoutMs: 30_000 });
      expect(right.stderr).toBe('');
      expect(right.code).toBe(0);
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  }, 120_000);

  it('stops watch, worker and jobs at start, exit 2, naming the scheme, for a rediss:// (TLS) address of a plain Redis (it said ETIMEDOUT, as for a host that is down, and the daemons waited for ever)', async () => {
    const redis = await OwnRedis.start();
    try {
      const setup = prodSetup({ partners: ['op-alpha', 'si-valmont'], extra: { redis: { url: redis.url.replace(/^redis:/, 'rediss:'), prefix: 'tls' } } });
      for (const command of ['watch', 'worker', 'jobs']) {
        const r = await cli([command, '--config', setup.configFile, ...(command === 'jobs' ? [] : ['--metrics-port', '0'])], { timeoutMs: 30_000 });
        expect({ command, code: r.code }).toEqual({ command, code: 2 });
        expect(r.stderr).toMatch(/^chorus-flux: cannot use Redis at rediss:\/\/127\.0\.0\.1:(\d+): the server at 127\.0\.0\.1:\1 answers in plain text, not TLS: write redis:\/\/ instead of rediss:\/\//);
      }
      // a host that is down is still just unreachable (waited for by the daemons)
      const down = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: 'rediss://127.0.0.1:1', prefix: 'tls' } } });
      const r = await cli(['jobs', '--config', down.configFile], { timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Redis cannot be reached');
      expect(r.stderr).not.toContain('plain text');
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('stops watch, worker and jobs at start, exit 2, for a database the server does not have (they used database 0 instead)', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    try {
      const max = Number((await admin.config('GET', 'databases'))[1]);
      const setup = prodSetup({ partners: ['op-alpha', 'si-valmont'], extra: { redis: { url: `${redis.url}/${max + 83}`, prefix: 'db' } } });
      for (const command of ['watch', 'worker', 'jobs']) {
        const r = await cli([command, '--config', setup.configFile, ...(command === 'jobs' ? [] : ['--metrics-port', '0'])], { timeoutMs: 30_000 });
        expect({ command, code: r.code }).toEqual({ command, code: 2 });
        expect(r.stderr).toMatch(/^chorus-flux: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+\/\d+: Redis has no such database: the number after the port .*\(ERR DB index is out of range\)/);
      }
      expect(await admin.dbsize()).toBe(0); // nothing went to database 0
      const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
      const good = path.join(setup.dir, 'config-db3.json');
      writeFileSync(good, JSON.stringify({ ...raw, redis: { ...raw.redis, url: `${redis.url}/3` } }));
      const r = await cli(['jobs', '--config', good], { timeoutMs: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  }, 120_000);

  it('stops a worker that started while Redis was down once Redis answers and refuses its database', async () => {
    const redis = await OwnRedis.start();
    await redis.kill();
    try {
      const setup = prodSetup({ partners: ['op-alpha', 'si-valmont'], extra: { redis: { url: `${redis.url}/99`, prefix: 'db-late' } } });
      const worker = cli(['worker', '--config', setup.configFile, '--metrics-port', '0'], { timeoutMs: 60_000 });
      await sleep(2_000); // waiting for Redis, the database not checked yet
      await redis.up();
      const r = await worker;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/chorus-flux: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+\/99: Redis has no such database: .*\(ERR DB index is out of range\)/);
      const admin = new IORedis(redis.url);
      expect(await admin.dbsize()).toBe(0); // nothing went to database 0
      admin.disconnect();
    } finally {
      await redis.stop();
    }
  }, 120_000);
});
