/**
 * `chorus-flux retry` whose retry Redis confirmed, and whose `requeued` line could not be
 * journaled (the journal's day folder unwritable, the disk full). Until 2026-12-07 the command
 * took its record (state/retries-in-doubt/, written before sending) off all the same and said
 * "not journaled": the worker that ran the job found no record, and no process ever journaled the
 * retry — trace showed a failed job processed again, no one asking. Now the record stays when the
 * line fails, the command says so (exit 0: the job was retried), and the worker that takes the job
 * journals the retry from it, once (`"interrupted": true`, with `sentAt`).
 *
 * The journal is made to fail for `retry` alone: its day folder is put aside and a file of that
 * name stands in its place while the command runs (root ignores permissions), then put back.
 */
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls, retriedJobRun } from '../helpers/stalled-twice';

describeRedis('retry whose requeued line cannot be journaled', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('keeps its record: the worker that takes the job journals the retry, once', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, 987);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const journalDir = path.join(setup.config.paths.out, 'journal');
    const day = dayOf(new Date(), setup.config.timezone);
    const dayDir = path.join(journalDir, day);
    const aside = path.join(setup.config.paths.out, `journal-day-aside-${day}`);
    const hadDay = existsSync(dayDir);
    if (hadDay) renameSync(dayDir, aside);
    writeFileSync(dayDir, 'not a folder: the journal cannot be written\n');
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(['retry', id, '--config', setup.configFile], { timeoutMs: 60_000 });
    } finally {
      rmSync(dayDir, { force: true });
      if (hadDay) renameSync(aside, dayDir);
    }
    // retried (exit 0), and said plainly who journals it
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^retried +${id} .*its requeued line could not be journaled \\(.*\\): left recorded under state/retries-in-doubt/, the worker that takes the job journals the retry`, 'm'));
    expect(r.stdout).toContain('1 retried, 0 already finished, 0 not retried');
    expect(['waiting', 'prioritized']).toContain(await s.queue.getJobState(id));
    const doubt = path.join(setup.config.paths.state, 'retries-in-doubt');
    expect(readdirSync(doubt).length).toBe(1);

    const lines = await retriedJobRun(setup, s, id, sha, claim);
    const requeued = lines.filter((l) => l.event === 'requeued');
    expect(requeued).toEqual([expect.objectContaining({ by: 'retry', claimId: claim.claimId, interrupted: true, sentAt: expect.any(String), failed: expect.stringMatching(/^it had failed 1 time\(s\): /) })]);
    expect(lines.map((l) => l.event).filter((e) => e === 'requeued' || e === 'outcome')).toEqual(['requeued', 'outcome']);
    // the record taken off by the worker that journaled it
    expect(readdirSync(doubt)).toEqual([]);

    const trace = await cli(['trace', sha, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(trace.stdout).toContain('the command was stopped before it journaled it, or could not journal it');
  }, 180_000);
});
