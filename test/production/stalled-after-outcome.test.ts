/**
 * A job failed by its stalls after its file had left processing/: under `killfuzz --kill
 * redis-freeze`, a worker finished a file (outcome journaled, claimed file removed) while Redis
 * was frozen past the job's lock; its completion was refused ("Missing lock"), and as the job had
 * stalled once before (an earlier freeze), the next stalled check failed it: "job stalled more
 * than allowable limit". The journal and the worker's error line then said "its file waits in
 * processing/: retry it alone, or set it aside", sending an operator after a file that had its
 * outcome. Reproduced here with two workers killed on the job (as poison-file.test.ts), the
 * claimed file removed before the second stall is found, as the finishing worker removes it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile } from '../../src/ingest/claim';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions, type FluxJobData } from '../../src/queue/flux-queue';
import { withFileLock } from '../../src/state/file-lock';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { until } from '../helpers/until';
import { queueSuite } from '../helpers/queue-suite';
import { startWorkerProcess } from '../helpers/worker-process';

describeRedis('a job failed by its stalls once its file had left processing/', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('is journaled as nothing waiting on it, not as a file to retry', async () => {
    const content = invoiceNumbered(952);
    const sha = sha256(Buffer.from(content));
    const src = path.join(setup.inbox('op-alpha'), 'F952.xml');
    writeFileSync(src, content);
    const claim = await claimFile(src, setup.config.paths.processing, 'op-alpha');
    if (!claim) throw new Error('claim failed');
    const data: FluxJobData = { path: claim.path, name: claim.name, relPath: 'op-alpha/F952.xml', partner: 'op-alpha', sha256: sha, claimId: claim.claimId };
    const id = fluxJobId(sha, claim.claimId);
    // the content lock held by the test: whoever takes the job waits on it, job active
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
      await until(`the job taken by worker ${death}`, async () => ((await s.queue.getJob(id))?.attemptsStarted === death ? true : undefined));
      await sleep(300);
      w.child.kill('SIGKILL');
      expect(await w.exited).toBe('SIGKILL');
    }
    // the file finished meanwhile by the worker whose completion was refused: gone from processing/
    rmSync(claim.path);
    const last = startWorkerProcess(setup.configFile);
    s.workers.push(last);
    await until('the job failed', async () => ((await s.queue.getJobState(id)) === 'failed' ? true : undefined));
    release();
    await holding;
    const day = dayOf(new Date(), setup.config.timezone);
    const failed = await until('the give-up journaled', async () => (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.find((l) => l.event === 'system-error' && l.sha256 === sha && l.job === 'failed'));
    const message = failed.event === 'system-error' ? failed.message : '';
    expect(message).toMatch(/^given up by the queue: job stalled more than allowable limit \(.*\); its file no longer in processing\/ .*nothing waits on this job: `chorus-flux retry` takes it off the failed list/);
    expect(message).not.toContain('waits in processing/');
  }, 120_000);
});
