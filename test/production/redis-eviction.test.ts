/**
 * A Redis that evicts keys under memory pressure (`maxmemory-policy` other than noeviction,
 * the default of managed Redis services: volatile-lru; some installs allkeys-lru). BullMQ
 * requires noeviction; what must survive is on disk (the claimed file in processing/, the
 * journal, the processed marks, the IdCPRO mark), so the pipeline must still give each file
 * one outcome, no flow twice. A Redis of the test's own, real processes: watch + 2 workers.
 *
 * Under volatile-lru, once the locks are evicted Redis refuses writes (OOM) as at its maxmemory;
 * the watcher's first add met that refusal, and its connection then failed every add with
 * NOSCRIPT, for good (add-if-new.ts): 16 files left in processing/, 284 in the inbox, Redis long
 * since back with room.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { bigPivot, invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';
import { loggedDaemon, untilHolds } from '../helpers/logged-daemon';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

const start = (command: 'watch' | 'worker', configFile: string, dir: string, n = 0) => loggedDaemon(command, configFile, dir, `-${n}`);
const until = (what: string, test: () => boolean, timeoutMs: number) => untilHolds(what, test, timeoutMs, 200);

const shaOf = (s: string) => createHash('sha256').update(s).digest('hex');
const infoField = (info: string, field: string) => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();

describeIf('a Redis that evicts keys (maxmemory-policy not noeviction)', () => {
  for (const policy of ['allkeys-lru', 'volatile-lru'] as const) {
    it(`gives every file one outcome, no flow twice, under ${policy} evicting during the run`, async () => {
      const redis = await OwnRedis.start();
      const admin = new IORedis(redis.url);
      const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 300, pollMs: 100, rescanMs: 500 }, worker: { concurrency: 2, lockDurationMs: 3000, attempts: 20, backoffMs: 100 }, extra: { redis: { url: redis.url, prefix: 'evict' } } });
      const inbox = setup.inbox('op-alpha');
      const out = setup.config.paths.out;
      const journal = path.join(out, 'journal');
      const journalLines = (): { event: string; sha256?: string }[] => {
        try {
          return readdirSync(journal).flatMap((day) => readdirSync(path.join(journal, day)).flatMap((f) => readFileSync(path.join(journal, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; sha256: string })));
        } catch {
          return [];
        }
      };
      const outcomes = () => journalLines().filter((l) => l.event === 'outcome').map((l) => l.sha256 as string);
      const watch = start('watch', setup.configFile, setup.dir);
      const workers = [start('worker', setup.configFile, setup.dir, 1), start('worker', setup.configFile, setup.dir, 2)];
      const daemons = [watch, ...workers];
      const N = 300;
      const texts = Array.from({ length: N }, (_, k) => invoiceNumbered(5100 + k));
      let evicted = 0;
      try {
        await until('the daemons started', () => daemons.every((d) => d.lines().some((l) => typeof l.metrics === 'string')), 60_000);
        const used = Number(infoField(await admin.info('memory'), 'used_memory'));
        await admin.config('SET', 'maxmemory-policy', policy);
        // room for a few dozen jobs beyond what the daemons hold at start: Redis evicts as files come
        await admin.config('SET', 'maxmemory', String(used + 64 * 1024));
        for (let k = 0; k < N; k++) {
          writeFileSync(path.join(inbox, `f-${k}.xml`), texts[k]);
          if (k % 20 === 19) await sleep(150);
        }
        // a while under pressure (what no file may outlive: a job lost, a connection left unusable), then room again
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && new Set(outcomes()).size < N) await sleep(500);
        evicted = Number(infoField(await admin.info('stats'), 'evicted_keys'));
        await admin.config('SET', 'maxmemory', '0');
        await until('every file has an outcome', () => new Set(outcomes()).size >= N, 90_000);
        await until('the inbox and processing/ are empty', () => readdirSync(inbox).length + readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length === 0, 30_000);
      } finally {
        for (const d of daemons) d.child.kill('SIGTERM');
        await Promise.all(daemons.map((d) => d.exited));
        admin.disconnect();
        await redis.stop();
      }
      expect(evicted).toBeGreaterThan(0);
      const all = outcomes();
      expect(all.length).toBe(N);
      expect(new Set(all)).toEqual(new Set(texts.map(shaOf)));
      const files = listFiles(out, ['state', 'logs', 'journal']);
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(N);
      const day = await reconcileDay({ config: setup.config, write: false });
      expect(day.report?.anomalies).toEqual([]);
      expect(day.exitCode).toBe(0);
    }, 300_000);
  }
});

describeIf('a job lock evicted while its file is processed (volatile-* evicts the keys that expire)', () => {
  it('lets a second worker take the job, which waits on the content lock and ends on the first one\'s outcome: no flow twice', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const setup = prodSetup({ partners: ['op-beta'], watch: { stableMs: 300, pollMs: 100, rescanMs: 500 }, worker: { concurrency: 1, lockDurationMs: 2000, attempts: 20, backoffMs: 100 }, extra: { redis: { url: redis.url, prefix: 'lock' } } });
    const journal = path.join(setup.config.paths.out, 'journal');
    const lines = (): { event: string; sha256?: string }[] => {
      try {
        return readdirSync(journal).flatMap((day) => readdirSync(path.join(journal, day)).flatMap((f) => readFileSync(path.join(journal, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string })));
      } catch {
        return [];
      }
    };
    // the policy of a managed Redis; the lock is then taken away by hand, as its eviction would (deterministic)
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    const watch = start('watch', setup.configFile, setup.dir);
    const first = start('worker', setup.configFile, setup.dir, 1);
    const daemons = [watch, first];
    let evictions = 0;
    try {
      await until('the daemons started', () => daemons.every((d) => d.lines().some((l) => typeof l.metrics === 'string')), 60_000);
      // a pivot of many invoices: seconds of work, long enough for the lock to go meanwhile
      writeFileSync(path.join(setup.inbox('op-beta'), 'gros.xml'), bigPivot(1500));
      await until('the first worker began the file', () => lines().some((l) => l.event === 'received'), 60_000);
      const second = start('worker', setup.configFile, setup.dir, 2);
      daemons.push(second);
      // the lock evicted as a volatile-* Redis would, until the first worker's outcome
      while (!lines().some((l) => l.event === 'outcome')) {
        for (const key of await admin.keys('lock:flux:*:lock')) evictions += await admin.del(key);
        await sleep(100);
      }
      await until('the file has its outcome', () => lines().some((l) => l.event === 'outcome'), 120_000);
      await until('processing/ is empty', () => readdirSync(path.join(setup.config.paths.processing, 'op-beta')).length === 0, 60_000);
      await sleep(3000); // the second worker ends its attempt
    } finally {
      for (const d of daemons) d.child.kill('SIGTERM');
      await Promise.all(daemons.map((d) => d.exited));
      admin.disconnect();
      await redis.stop();
    }
    expect(evictions).toBeGreaterThan(0);
    // a worker lost its lock on the job (both, when the second took it before the first ended:
    // on a loaded host the first may end first); the second, if it took it, waited on the
    // content lock, then found the first one's outcome; the file received and ended once
    const lost = daemons.slice(1).flatMap((w) => w.lines().filter((l) => l.kind === 'lock-lost'));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    // put down to the policy, not to a busy main thread (which sent operators to the wrong machine)
    for (const l of lost) expect(String(l.msg)).toMatch(/maxmemory-policy is volatile-lru, not noeviction: short of memory, it may have evicted the lock/);
    expect(lines().filter((l) => l.event === 'received')).toHaveLength(1);
    expect(lines().filter((l) => l.event === 'outcome')).toHaveLength(1);
    const files = listFiles(setup.config.paths.out, ['state', 'logs', 'journal']);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const day = await reconcileDay({ config: setup.config, write: false });
    expect(day.report?.anomalies).toEqual([]);
    expect(day.exitCode).toBe(0);
  }, 300_000);
});
