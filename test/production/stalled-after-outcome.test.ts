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
import { rmSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { until } from '../helpers/until';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls } from '../helpers/stalled-twice';

describeRedis('a job failed by its stalls once its file had left processing/', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('is journaled as nothing waiting on it, not as a file to retry', async () => {
    // the file finished meanwhile by the worker whose completion was refused: gone from processing/
    const { sha } = await failedByStalls(setup, s, 952, { beforeLastWorker: (t) => rmSync(t.claim.path) });
    const day = dayOf(new Date(), setup.config.timezone);
    const failed = await until('the give-up journaled', async () => (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.find((l) => l.event === 'system-error' && l.sha256 === sha && l.job === 'failed'));
    const message = failed.event === 'system-error' ? failed.message : '';
    expect(message).toMatch(/^given up by the queue: job stalled more than allowable limit \(.*\); its file no longer in processing\/ .*nothing waits on this job: `chorus-flux retry` takes it off the failed list/);
    expect(message).not.toContain('waits in processing/');
  }, 120_000);
});
