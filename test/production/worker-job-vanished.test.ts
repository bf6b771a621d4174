/**
 * Redis restarted empty (no persistence) while a worker is on a job: the job's record vanished
 * with Redis's data. The worker finishes the file all the same and BullMQ, asked to mark the
 * job done, answers "Missing key for job … moveToFinished". Nothing is wrong: the file's outcome
 * is journaled and marked on disk. The worker says that in one line, and it is no Redis trouble:
 * /healthz answers 200 once Redis answers. (Until 2026-12-06 the worker logged BullMQ's words as
 * a fault, `worker error (BullMQ goes on): Missing key …`, and took Redis for in trouble:
 * /healthz said 503 for 30 s after every such restart.) A file of the same restart that the
 * watcher's rescan queued again before its old job ended is done once too.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fluxQueue } from '../../src/queue/flux-queue';
import { createRedis } from '../../src/queue/redis';
import { ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { holdLock } from '../helpers/hold-lock';
import { claimAndQueue } from '../helpers/queue-claimed';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

interface Line { event: string; sha256?: string; outcome?: string; file?: string }

function journal(out: string): Line[] {
  const dir = path.join(out, 'journal');
  return readdirSync(dir).flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)));
}

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}


describeIf("worker: its job's record vanished with a Redis restarted empty", () => {
  it('says so in one line, keeps /healthz up once Redis answers, and the file has one outcome', async () => {
    const redis = await OwnRedis.start();
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 5000 }, worker: { concurrency: 2 }, extra: { redis: { url: redis.url, prefix: 'job-vanished' } } });
    const { config } = setup;
    const client = createRedis({ url: redis.url });
    client.on('error', () => undefined);
    const queue = fluxQueue(config, client);
    queue.on('error', () => undefined);
    const inbox = setup.inbox('op-alpha');
    writeFileSync(path.join(inbox, 'a.xml'), invoiceNumbered(1));
    writeFileSync(path.join(inbox, 'b.xml'), invoiceNumbered(2));
    const a = await claimAndQueue(config, queue, 'op-alpha', path.join(inbox, 'a.xml'));
    const b = await claimAndQueue(config, queue, 'op-alpha', path.join(inbox, 'b.xml'));
    // both jobs taken, each worker slot held mid-job on its file's content lock
    const locks = path.join(config.paths.state, 'locks');
    const holdA = holdLock(path.join(locks, `${a.data.sha256}.lock`));
    const holdB = holdLock(path.join(locks, `${b.data.sha256}.lock`));
    await Promise.all([holdA.taken, holdB.taken]);

    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'worker', '-c', setup.configFile, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code)));
    const lines = () => log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
    const health = async () => {
      const url = /"metrics":"http:\/\/([^/"]+)\/metrics"/.exec(log)?.[1];
      const r = await fetch(`http://${url}/healthz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    let watcher: ReturnType<typeof watcherInProcess> | undefined;
    try {
      await until('the worker to start', () => log.includes('"worker started"'), 60_000);
      await until('both jobs active', async () => (await queue.getJobCounts('active')).active === 2);

      await redis.restartEmpty(); // both jobs' records gone
      await until('the worker back on Redis', async () => (await health()).status === 200, 30_000);

      // a: finished before any rescan — BullMQ finds no job to mark done
      await holdA.release();
      await until('a done', () => journal(config.paths.out).some((l) => l.event === 'outcome' && l.sha256 === a.data.sha256));
      await until('a out of processing/', () => !readdirSync(path.join(config.paths.processing, 'op-alpha')).includes(path.basename(a.data.path)));
      await sleep(1500); // BullMQ's answer, and its log line
      // no job completed since (b still waits): the worker's word alone on Redis
      const afterA = await health();
      expect([afterA.status, afterA.body.redis, afterA.body.redisTrouble]).toEqual([200, 'up', undefined]);

      // b: the rescan queues it again (same job id) while its old job still holds its slot
      await sleep(5500 - 1500); // older than the rescan's grace for fresh claims
      watcher = watcherInProcess(config, redis.url, { quietErrors: true });
      await watcher.watcher.start();
      expect(watcher.logged.filter((l) => l.msg === 'found in processing and queued again')).toHaveLength(1);
      await holdB.release();
      await until('b done', () => readdirSync(path.join(config.paths.processing, 'op-alpha')).length === 0);
      await until('the queue empty', async () => {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        return c.waiting + c.active + c.delayed + c.failed === 0;
      });
      await sleep(1500);

      // and still up once every job ended
      for (let i = 0; i < 5; i++) {
        const h = await health();
        expect([h.status, h.body.redis, h.body.redisTrouble]).toEqual([200, 'up', undefined]);
        await sleep(200);
      }
      // one plain line for a's vanished job, at info or warn; BullMQ's words never said as a fault
      const said = lines().filter((l) => /Missing key/.test(l.msg) || /record vanished/.test(l.msg));
      expect(said).toEqual([expect.objectContaining({ level: 30, msg: expect.stringMatching(/^worker: job \S+ \(op-alpha\/a\.xml\): its record vanished from Redis .*restarted without its data.*its outcome \(accepted\) stands, journaled/) })]);
      expect(lines().filter((l) => l.level >= 50)).toEqual([]);
      expect(lines().filter((l) => /BullMQ goes on/.test(l.msg))).toEqual([]);
      // the jobs' locks went with Redis's data: not put down to a busy machine
      expect(lines().filter((l) => /overloaded/.test(l.msg))).toEqual([]);

      // each file one outcome, journaled once, no `already-processed` copy of it
      const j = journal(config.paths.out);
      for (const f of [a, b]) {
        expect(j.filter((l) => l.sha256 === f.data.sha256 && l.event === 'outcome').map((l) => l.outcome)).toEqual(['accepted']);
        expect(j.filter((l) => l.sha256 === f.data.sha256 && l.event === 'already-processed')).toEqual([]);
      }
      expect(readdirSync(path.join(config.paths.out, 'pivot', 'VALM01')).filter((n) => n.endsWith('.xml'))).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await watcher?.close();
      await queue.close();
      await client.quit().catch(() => undefined);
      await redis.stop();
    }
  }, 120_000);
});
