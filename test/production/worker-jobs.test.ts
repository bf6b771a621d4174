/**
 * What a worker does with each kind of job, on a real Redis: a claimed file is processed and
 * then removed from processing/; a job naming a path outside the processing area, or a claimed
 * file that is gone without an outcome, fails at once (no retry: UnrecoverableError) with a
 * reason; a claimed file that is gone because an earlier attempt finished it completes with
 * that attempt's outcome, and nothing is processed twice; the same bytes claimed from another
 * partner end already-processed, with that partner told once (CPRO-DOUBLON-FLUX).
 */
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { claimFile } from '../../src/ingest/claim';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions, fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { startWorker, type RunningWorker } from '../../src/runner/worker';
import { dayOf } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { sha256 } from '../../src/util/hash';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

interface Finished {
  state: string;
  attemptsMade: number;
  failedReason?: string;
  returnvalue?: { outcome?: string; sha256?: string };
}

async function finished(queue: Queue<FluxJobData>, id: string): Promise<Finished> {
  for (let i = 0; i < 300; i++) {
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') {
      // read once final: a job read while active has no result yet
      const job = await queue.getJob(id);
      if (!job) throw new Error(`job ${id} vanished`);
      return { state, attemptsMade: job.attemptsMade, failedReason: job.failedReason, returnvalue: job.returnvalue as Finished['returnvalue'] };
    }
    await sleep(50);
  }
  throw new Error(`job ${id} did not finish`);
}

describeRedis('worker jobs', () => {
  const setup = prodSetup({ partners: ['op-alpha', 'op-beta'] });
  let redis: Redis;
  let queue: Queue<FluxJobData>;
  let running: RunningWorker;

  beforeAll(async () => {
    redis = redisClient();
    queue = fluxQueue(setup.config, redis);
    running = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await running.close(5000);
    await queue.close();
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  async function enqueue(data: FluxJobData): Promise<string> {
    const id = fluxJobId(data.sha256, data.claimId);
    await queue.add('flux', data, { ...fluxJobOptions(setup.config), jobId: id });
    return id;
  }

  async function claimed(name: string, content: string, partner = 'op-alpha'): Promise<FluxJobData> {
    const src = path.join(setup.inbox(partner), name);
    writeFileSync(src, content);
    const c = await claimFile(src, setup.config.paths.processing, partner);
    if (!c) throw new Error('claim failed');
    return { path: c.path, name: c.name, relPath: `${partner}/${c.name}`, partner, sha256: sha256(Buffer.from(content)), claimId: c.claimId };
  }

  it('processes a claimed file, then removes it from processing/; a later job for the same content whose file is gone completes with that outcome', async () => {
    const content = invoiceNumbered(501);
    const first = await claimed('f-501.xml', content);
    const r1 = await finished(queue, await enqueue(first));
    expect(r1).toMatchObject({ state: 'completed', attemptsMade: 1, returnvalue: { outcome: 'accepted', sha256: first.sha256 } });
    expect(existsSync(first.path)).toBe(false);

    // the same content, claimed again (a retry whose file an earlier attempt already finished)
    const again: FluxJobData = { ...first, claimId: `${first.claimId}-retry`, path: path.join(path.dirname(first.path), `gone-${path.basename(first.path)}`) };
    const r2 = await finished(queue, await enqueue(again));
    expect(r2).toMatchObject({ state: 'completed', returnvalue: { outcome: 'accepted', sha256: first.sha256 } });
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone));
    const outcomes = lines.filter((l) => l.event === 'outcome' && l.sha256 === first.sha256);
    expect(outcomes).toHaveLength(1); // processed once
  }, 30000);

  it('the same bytes from another partner: already processed, that partner told once, the file removed', async () => {
    const content = invoiceNumbered(504);
    const first = await finished(queue, await enqueue(await claimed('f-504.xml', content)));
    expect(first.returnvalue).toMatchObject({ outcome: 'accepted' });
    const relayed = await claimed('relayed-504.xml', content, 'op-beta');
    const r = await finished(queue, await enqueue(relayed));
    expect(r).toMatchObject({ state: 'completed', attemptsMade: 1, returnvalue: { outcome: 'already-processed' } });
    expect(existsSync(relayed.path)).toBe(false);
    const statut = path.join(setup.config.paths.out, 'statut', 'op-beta');
    const replies = readdirSync(statut);
    expect(replies).toHaveLength(1);
    expect(readFileSync(path.join(statut, replies[0]), 'utf8')).toContain('<CodeErreur>CPRO-DOUBLON-FLUX</CodeErreur>');
    // op-beta sends it again: nothing more
    const again = await finished(queue, await enqueue(await claimed('relayed-504-bis.xml', content, 'op-beta')));
    expect(again.returnvalue).toMatchObject({ outcome: 'already-processed' });
    expect(readdirSync(statut)).toEqual(replies);
  }, 30000);

  it('fails at once, with the reason, a claimed file that is gone without an outcome', async () => {
    const data = await claimed('f-502.xml', invoiceNumbered(502));
    unlinkSync(data.path);
    const r = await finished(queue, await enqueue(data));
    expect(r.state).toBe('failed');
    expect(r.attemptsMade).toBe(1); // not retried (the configuration allows 20 attempts)
    expect(r.failedReason).toContain('is gone and has no outcome');
  }, 30000);

  it('fails at once a job naming a file outside the processing area, and leaves that file alone', async () => {
    const outside = path.join(setup.dir, 'not-claimed.xml');
    writeFileSync(outside, invoiceNumbered(503));
    const r = await finished(queue, await enqueue({ path: outside, name: 'not-claimed.xml', relPath: 'op-alpha/not-claimed.xml', partner: 'op-alpha', sha256: sha256(readFileSync(outside)), claimId: 'x1' }));
    expect(r.state).toBe('failed');
    expect(r.attemptsMade).toBe(1);
    expect(r.failedReason).toContain('outside the processing area');
    expect(readFileSync(outside, 'utf8')).toBe(invoiceNumbered(503));
  }, 30000);
});
