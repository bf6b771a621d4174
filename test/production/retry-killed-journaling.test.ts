/**
 * `chorus-flux retry` killed (SIGKILL: a closed SSH session, the OOM killer) after Redis queued
 * the job again, before its `requeued` line was journaled (after-retry-queued). Until 2026-12-07
 * the retry had no line at all: trace showed a failed job processed again, no one asking, and
 * `killfuzz --kill retry-cycle` counted a retry that queued the job without its line (seed 5).
 * `retry` now records the retry under state/retries-in-doubt/ before sending it and takes the
 * record off once its line is journaled: the worker that takes the job journals it from that
 * record (`"interrupted": true`, with `sentAt`), and not again when the command was killed after
 * its own line (after-retry-line). One line per retry, whichever instant the kill came at.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls, retriedJobRun } from '../helpers/stalled-twice';

describeRedis.each([
  ['after the job was queued, before its line', 'after-retry-queued', 985],
  ['after its line, before it took its record off', 'after-retry-line', 986],
] as const)('retry killed %s', (_what, fault, n) => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('the retry is journaled once: by the worker that takes the job when retry could not', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, n);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const killed = await cli(['retry', id, '--config', setup.configFile], { env: { CHORUS_FLUX_FAULT: fault }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect(['waiting', 'prioritized']).toContain(await s.queue.getJobState(id));

    const lines = await retriedJobRun(setup, s, id, sha, claim);
    const requeued = lines.filter((l) => l.event === 'requeued');
    expect(requeued).toEqual([expect.objectContaining({ by: 'retry', claimId: claim.claimId, failed: expect.stringMatching(/^it had failed 1 time\(s\): /) })]);
    if (fault === 'after-retry-queued') expect(requeued[0]).toMatchObject({ interrupted: true, sentAt: expect.any(String) });
    else expect(requeued[0]).not.toHaveProperty('sentAt');
    // before the file's outcome, which is the deposit's one
    expect(lines.map((l) => l.event).filter((e) => e === 'requeued' || e === 'outcome')).toEqual(['requeued', 'outcome']);
    // no record left for the nightly sweep
    const doubt = path.join(setup.config.paths.state, 'retries-in-doubt');
    expect(existsSync(doubt) ? readdirSync(doubt) : []).toEqual([]);

    // trace tells who queued it again
    const trace = await cli(['trace', sha, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(trace.stdout).toContain(fault === 'after-retry-queued' ? 'the command was stopped before it journaled it' : 'its failed job queued again by the operator (chorus-flux retry): it had failed 1 time(s)');
  }, 180_000);
});
