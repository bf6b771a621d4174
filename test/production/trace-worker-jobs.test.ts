/**
 * `trace` of a file whose worker's job is not done, on a real Redis with a real worker: what it
 * says comes next must be what the queue does. Found by an audit: a job whose attempt failed
 * and that BullMQ tries again by itself after its backoff (delayed, in no failed list) was said
 * "its job failed: … retry or set-aside once the cause is fixed"; `retry` would answer
 * `not-failed`. (A job given up on after its workers died on it: poison-file.test.ts.)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { readJournalDay } from '../../src/journal/journal';
import { startWorker, type RunningWorker } from '../../src/runner/worker';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { claimAndQueue } from '../helpers/queue-claimed';
import { queueSuite } from '../helpers/queue-suite';
import { describeRedis } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

describeRedis('trace of a file whose job is in its backoff', () => {
  // a minute of backoff: the job is still delayed when trace is asked
  const setup = prodSetup({ partners: ['op-alpha'], worker: { attempts: 3, backoffMs: 60_000 } });
  const s = queueSuite(setup);
  let running: RunningWorker | undefined;
  afterAll(async () => {
    await running?.close(5000);
  });

  it('says the job is tried again by itself, not that it failed and waits for retry or set-aside', async () => {
    running = await startWorker({ config: setup.config, logger: pino({ level: 'silent' }) });
    const drop = (name: string, content: string) => {
      const src = path.join(setup.inbox('op-alpha'), name);
      writeFileSync(src, content);
      return claimAndQueue(setup.config, s.queue, 'op-alpha', src);
    };
    const first = await drop('F961.xml', invoiceNumbered(961));
    await until('the first file done', async () => ((await s.queue.getJobState(first.id)) === 'completed' ? true : undefined));
    // its invoice's lifecycle record emptied (a power cut): the same invoice again fails, retried
    const recDir = path.join(setup.config.paths.state, 'invoices');
    const record = readdirSync(recDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(e.parentPath, e.name))[0];
    const saved = readFileSync(record);
    writeFileSync(record, '');
    const again = await drop('F961-bis.xml', invoiceNumbered(961, ' (renvoi)'));
    const day = dayOf(new Date(), setup.config.timezone);
    const failed = await until('the failed attempt journaled', async () => (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.find((l) => l.event === 'system-error' && l.sha256 === again.data.sha256));
    expect(failed).toMatchObject({ job: 'retried', message: expect.stringMatching(/^attempt 1 of 3 failed \(retried\): The lifecycle record/) });
    expect(await s.queue.getJobState(again.id)).toBe('delayed');

    const traced = await cli(['trace', 'F961-bis.xml', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(traced.code).toBe(0);
    expect(traced.stdout).toMatch(/in processing\/ for op-alpha: .*F961-bis\.xml.*\n +taken at \S+ and failed: attempt 1 of 3 failed \(retried\): .*; its job is tried again by itself after its backoff \(chorus-flux jobs --config \S+ shows it delayed\): nothing to do unless it keeps failing\n/);
    expect(traced.stdout).not.toMatch(/its job failed|retry or set-aside/);
    // the JSON says the same
    const json = JSON.parse((await cli(['trace', 'F961-bis.xml', '--config', setup.configFile, '--json'], { timeoutMs: 60_000 })).stdout);
    expect(json.waiting).toEqual([expect.objectContaining({ where: 'processing', sha256: again.data.sha256, why: expect.stringContaining('its job is tried again by itself after its backoff') })]);
    writeFileSync(record, saved);
  });
});
