/**
 * Two operators on one failed job at the same moment: one runs `chorus-flux retry`, the other
 * `chorus-flux set-aside`. Both take the file's content lock for what they do to it, but `retry`
 * read the job (failed, its file in processing/) before it waited for that lock: the set-aside
 * that held it refused the file, removed it from processing/ and then the job. Until 2026-12-07
 * the retry then went on with the job as it had read it: when the set-aside had already removed
 * the job, BullMQ refused the retry and `retry` said `not-failed` with its words (`not retried,
 * its state changed meanwhile (another retry?): Missing key for job … reprocessJob`), exit 1; when
 * it had not yet (or was killed before it could: after-set-aside-unlink), the job was queued again
 * and a `requeued` line journaled after the file's outcome, `retry` saying `retried`. The job is
 * now read again under the lock: `finished`, exit 0, nothing journaled, the job gone (found by
 * `killfuzz --kill retry-cycle`, seed 1).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Journal, readJournalDay } from '../../src/journal/journal';
import { retryJobOptions } from '../../src/cli/commands/retry';
import { retryFailedJob } from '../../src/queue/failed-jobs';
import { ProcessedFiles } from '../../src/state/processed-files';
import { dayOf, systemClock } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls } from '../helpers/stalled-twice';

describeRedis.each([
  ['the set-aside ran to its end (its job removed)', undefined, 983],
  ['the set-aside was killed after it removed the file (its job still failed)', 'after-set-aside-unlink', 984],
] as const)('retry waiting for the content lock while a set-aside of the same job holds it: %s', (_what, fault, n) => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('the retry says finished: no requeued line, the job not queued again', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, n);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const reason = 'Le fichier arrête le traitement à chaque essai.';
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: setup.config.timezone });
    const opts = retryJobOptions(setup.config, journal, new ProcessedFiles(setup.config.paths.state), id);
    // the retry has read the job (failed, its file there); the other operator's set-aside takes the lock first
    let setAside: Awaited<ReturnType<typeof cli>> | undefined;
    const report = await retryFailedJob(s.queue, id, {
      ...opts,
      underContentLock: async (sha256, fn) => {
        setAside = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env: fault ? { CHORUS_FLUX_FAULT: fault } : {}, timeoutMs: 60_000 });
        return opts.underContentLock!(sha256, fn);
      },
    });
    await journal.close();
    if (fault) expect(setAside?.signal).toBe('SIGKILL');
    else expect({ code: setAside?.code, stdout: setAside?.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^set-aside +/m) });
    expect(existsSync(claim.path)).toBe(false);

    expect(report).toMatchObject({ id, result: 'finished' });
    // the job is not queued again: gone (the set-aside removed it, or the retry did)
    expect(await s.queue.getJobState(id)).toBe('unknown');
    // the file's lines: its refusal, and no retry of it
    const day = dayOf(new Date(), setup.config.timezone);
    const lines = (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === sha);
    expect(lines.filter((l) => l.event === 'requeued')).toEqual([]);
    expect(lines.filter((l) => l.event === 'outcome')).toEqual([expect.objectContaining({ outcome: 'refused', findings: [expect.objectContaining({ rule: 'FLUX-ECARTE' })] })]);

    // the set-aside run again (its operator, after the kill): already set aside
    const again = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already-set-aside /m);
  }, 180_000);
});
