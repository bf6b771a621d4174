/**
 * A claimed file whose job two worker processes died on: each took the job and waited for the
 * file's content lock, which the test holds, and was killed (SIGKILL) there. The job is found
 * stalled once and waits for the next worker, which finds it stalled again and fails it (BullMQ's
 * limit). What poison-file and stalled-after-outcome start from; `release` lets the lock go.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile, type Claimed } from '../../src/ingest/claim';
import { fluxJobId, fluxJobOptions, type FluxJobData } from '../../src/queue/flux-queue';
import { readJournalDay } from '../../src/journal/journal';
import { withFileLock } from '../../src/state/file-lock';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { invoiceNumbered } from './generate-flows';
import type { QueueSuite } from './queue-suite';
import { until } from './until';
import type { ProdSetup } from './watch';
import { startWorkerProcess } from './worker-process';

export interface StalledTwice {
  sha: string;
  id: string;
  claim: Claimed;
  /** lets the content lock go */
  release(): void;
  /** the lock's holding, ended after release */
  holding: Promise<unknown>;
}

/** Invoice number `n` dropped as `F<n>.xml` in op-alpha's inbox, claimed, queued, and two workers killed on it. */
export async function stalledTwice(setup: ProdSetup, s: QueueSuite, n: number): Promise<StalledTwice> {
  const content = invoiceNumbered(n);
  const sha = sha256(Buffer.from(content));
  const src = path.join(setup.inbox('op-alpha'), `F${n}.xml`);
  writeFileSync(src, content);
  const claim = await claimFile(src, setup.config.paths.processing, 'op-alpha');
  if (!claim) throw new Error('claim failed');
  const data: FluxJobData = { path: claim.path, name: claim.name, relPath: `op-alpha/F${n}.xml`, partner: 'op-alpha', sha256: sha, claimId: claim.claimId };
  const id = fluxJobId(sha, claim.claimId);
  // the file's content lock, held by the test: whoever takes the job waits on it, job active
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const taken = new Promise<void>((r) => (locked = r));
  const holding = withFileLock(path.join(setup.config.paths.state, 'locks', `${sha}.lock`), async () => {
    locked();
    await held;
  });
  await taken;
  await s.queue.add('flux', data, { ...fluxJobOptions(setup.config), jobId: id });
  for (let death = 1; death <= 2; death++) {
    const w = startWorkerProcess(setup.configFile);
    s.workers.push(w);
    // taken by this worker (a dead worker's job stays listed active until found stalled)
    await until(`the job taken by worker ${death}`, async () => ((await s.queue.getJob(id))?.attemptsStarted === death ? true : undefined));
    await sleep(300); // well inside the processor
    w.child.kill('SIGKILL');
    expect(await w.exited).toBe('SIGKILL');
  }
  return { sha, id, claim, release, holding };
}

/**
 * stalledTwice, then the next worker, which finds the job stalled a second time and fails it;
 * the content lock let go once it has. `beforeLastWorker`: what the scene changes before that
 * worker starts (the file finished meanwhile, say).
 */
export async function failedByStalls(setup: ProdSetup, s: QueueSuite, n: number, opts: { beforeLastWorker?: (t: StalledTwice) => void } = {}): Promise<Omit<StalledTwice, 'release' | 'holding'> & { last: ReturnType<typeof startWorkerProcess> }> {
  const t = await stalledTwice(setup, s, n);
  opts.beforeLastWorker?.(t);
  const last = startWorkerProcess(setup.configFile);
  s.workers.push(last);
  await until('the job failed', async () => ((await s.queue.getJobState(t.id)) === 'failed' ? true : undefined)).catch(async (e) => {
    const j = await s.queue.getJob(t.id);
    throw new Error(`${(e as Error).message}: ${await s.queue.getJobState(t.id)} ${JSON.stringify({ stalled: j?.stalledCounter, attempts: j?.attemptsMade, started: j?.attemptsStarted, failed: j?.failedReason })} ${JSON.stringify(await s.redis.hgetall(`${setup.config.redis.prefix}:flux:${t.id}`))}`);
  });
  t.release();
  await t.holding;
  return { ...t, last };
}

/**
 * A worker started on the retried job `id` until it completes, then stopped (exit 0); the
 * claimed file gone. Returns the journal lines of the day for content `sha`.
 */
export async function retriedJobRun(setup: ProdSetup, s: QueueSuite, id: string, sha: string, claim: Claimed) {
  const w = startWorkerProcess(setup.configFile);
  s.workers.push(w);
  await until('the job done', async () => ((await s.queue.getJobState(id)) === 'completed' ? true : undefined));
  w.child.kill('SIGTERM');
  expect(await w.exited).toBe(0);
  expect(existsSync(claim.path)).toBe(false);
  const day = dayOf(new Date(), setup.config.timezone);
  // in time order: readJournalDay gives each writer's lines in turn, its files sorted by name (host-pid-…: the
  // retry command's pid 9998 sorts after the worker's 10012, and its `requeued` came after the worker's `outcome`)
  return (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === sha).sort((a, b) => a.ts.localeCompare(b.ts));
}
