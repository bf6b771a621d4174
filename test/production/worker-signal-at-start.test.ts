/**
 * A SIGTERM or SIGINT as a worker ends its start. Its BullMQ workers take jobs from the moment
 * they are made (autorun), while the start still asked Redis whether the queues were paused or
 * limited. Until 2026-12-07 the stop was handed to the signal handler only after those checks:
 * a signal then took the "before the start finished" way out, exit 0 at once, logged "nothing
 * was taken in yet", while a job was in hand. Its file was left half-way, its job active until
 * its lock lapsed and another worker took it as stalled. Found by an operator audit that sent
 * SIGINT at every instant of a worker's start on a loaded host. Now the stop is the handler's as
 * soon as the worker can take a job: the file in hand is finished, then the process exits 0.
 * The window is held open by a delay at the fault point after-worker-start (util/fault.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { fluxQueue } from '../../src/queue/flux-queue';
import { withFileLock } from '../../src/state/file-lock';
import { daemon } from '../helpers/daemon';
import { invoiceNumbered } from '../helpers/generate-flows';
import { claimAndQueue } from '../helpers/queue-claimed';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function journalLines(out: string): { event: string; sha256?: string; reason?: string }[] {
  const dir = path.join(out, 'journal');
  return readdirSync(dir).flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))));
}

describeRedis('worker: a signal once its workers take jobs, its start not finished', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, shutdownTimeoutMs: 15_000 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: the job in hand is finished, then exit 0 (not "nothing was taken in yet" with a job left active)', async (signal) => {
    redis ??= redisClient();
    const { config } = setup;
    const queue = fluxQueue(config, redis);
    const src = path.join(setup.inbox('op-alpha'), `${signal}.xml`);
    writeFileSync(src, invoiceNumbered(signal === 'SIGINT' ? 1 : 2));
    const job = await claimAndQueue(config, queue, 'op-alpha', src);
    // the job stays in hand, waiting for its content's lock, until released
    let release!: () => void;
    let taken!: () => void;
    const isTaken = new Promise<void>((r) => (taken = r));
    const held = withFileLock(path.join(config.paths.state, 'locks', `${job.data.sha256}.lock`), async () => {
      taken();
      await new Promise<void>((r) => (release = r));
    });
    await isTaken;

    // the start held between its workers' making and its last checks
    const d = daemon('worker', setup.configFile, { CHORUS_FLUX_FAULT: 'delay:after-worker-start:120000' });
    try {
      await until('the job taken', async () => (await queue.getJobState(job.id)) === 'active');
      d.kill(signal);
      await sleep(1000);
      release();
      await held;
      const end = await Promise.race([d.exited, sleep(30_000, undefined, { ref: false }).then(() => 'still running 30 s later' as const)]);
      expect(end === 'still running 30 s later' ? end : [end.code, end.signal]).toEqual([0, null]);
      const said = d.messages();
      expect(said).not.toContain('stopping before the start finished: nothing was taken in yet, exiting');
      expect(said).toContain('stopping');
      expect(said).toContain('worker stopped');
      // the file in hand was finished: its outcome journaled, out of processing/, its job done
      expect(journalLines(config.paths.out).some((l) => l.event === 'outcome' && l.sha256 === job.data.sha256)).toBe(true);
      expect(readdirSync(path.join(config.paths.processing, 'op-alpha'))).not.toContain(path.basename(job.data.path));
      expect(await queue.getJobState(job.id)).toBe('completed');
    } finally {
      d.kill('SIGKILL');
      await queue.close();
    }
  }, 120_000);
});
