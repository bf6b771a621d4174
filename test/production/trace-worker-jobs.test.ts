/**
 * `trace` of a file whose worker's job is not done, on a real Redis with a real worker: what it
 * says comes next must be what the queue does. Found by an audit: a job whose attempt failed
 * and that BullMQ tries again by itself after its backoff (delayed, in no failed list) was said
 * "its job failed: … retry or set-aside once the cause is fixed"; `retry` would answer
 * `not-failed`. (A job given up on after its workers died on it: poison-file.test.ts.) And a
 * worker killed between a file's outcome line and the removal of its claimed file: the job
 * taken again journaled `already-processed` for the same deposit, read as a copy by trace and
 * counted so by the reconciliation.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { startWorkerProcess } from '../helpers/worker-process';

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

describeRedis('a worker killed between a file’s outcome and the removal of its claimed file', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('the job taken again ends on that outcome: one deposit, one line, no already-processed copy', async () => {
    const src = path.join(setup.inbox('op-alpha'), 'F971.xml');
    writeFileSync(src, invoiceNumbered(971));
    const killed = startWorkerProcess(setup.configFile, { CHORUS_FLUX_FAULT: 'before-unlink' });
    s.workers.push(killed);
    const { id, data } = await claimAndQueue(setup.config, s.queue, 'op-alpha', src);
    expect(await killed.exited).toBe('SIGKILL');
    expect(existsSync(data.path)).toBe(true); // its outcome journaled, its claimed file still there
    s.workers.push(startWorkerProcess(setup.configFile));
    await until('the job taken again and done', async () => ((await s.queue.getJobState(id)) === 'completed' ? true : undefined));
    expect(existsSync(data.path)).toBe(false);

    const day = dayOf(new Date(), setup.config.timezone);
    const lines = (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === data.sha256);
    expect(lines.filter((l) => l.event === 'outcome' || l.event === 'already-processed').map((l) => l.event)).toEqual(['outcome']);
    expect((await s.queue.getJob(id))?.returnvalue).toEqual({ outcome: 'accepted', sha256: data.sha256 });
    const traced = await cli(['trace', 'F971.xml', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(traced.stdout).toMatch(/outcome: accepted/);
    expect(traced.stdout).not.toMatch(/already processed/);
    const reconciled = await cli(['reconcile', '--date', day, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(reconciled.stdout).toMatch(/CLEAN/);
    expect(reconciled.stdout).toMatch(/files 1 \(accepted 1, .*already processed 0\)/);
    expect(reconciled.code).toBe(0);
  });
});
