/**
 * A file whose processing ends its worker every time (out of memory, a native crash), on a real
 * Redis with real worker processes: each worker that takes it is killed while on it; after the
 * second, BullMQ fails the job ("job stalled more than allowable limit") and the file waits in
 * processing/, listed by `chorus-flux jobs` (and reported stuck by the nightly reconciliation
 * once past `reconcile.stuckProcessingMinutes`). Retrying
 * it would end a worker again: `chorus-flux set-aside` gives it its one outcome without
 * processing it — refused with the operator's reason, the partner told, the day clean again.
 *
 * The test keeps the worker on the file by holding the file's content lock (the processor waits
 * for it, its job active): the kill lands while the job is in the worker's hands, every time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId } from '../../src/queue/flux-queue';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { validateFiles } from '../helpers/xsd';
import { SCHEMAS } from '../helpers/corpus';
import { prodSetup } from '../helpers/watch';
import { until } from '../helpers/until';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls } from '../helpers/stalled-twice';

describeRedis('a file that ends its worker every time', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('fails its job once two workers died on it; set-aside refuses it with the reason given, once, and the day reconciles clean', async () => {
    // the next worker finds it stalled a second time: BullMQ fails it rather than run it again
    const { sha, id, claim, last } = await failedByStalls(setup, s, 951);
    const job = await s.queue.getJob(id);
    expect(job?.failedReason).toBe('job stalled more than allowable limit');
    expect(existsSync(claim.path)).toBe(true); // not lost: waiting in processing/
    const day = dayOf(new Date(), setup.config.timezone);

    // the journal tells the attempt cut short and the queue giving up (it held two bare
    // `received` lines, or none: trace then said "queued or being processed" of a failed job)
    // in time order: readJournalDay gives each writer's lines in turn, its files sorted by name (host-pid-…, where pid 10012 sorts before 9998)
    const errorLines = async () => (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.filter((l) => l.event === 'system-error' && l.sha256 === sha).sort((a, b) => a.ts.localeCompare(b.ts));
    const journaled = await until('the give-up journaled', async () => ((await errorLines()).some((l) => l.event === 'system-error' && l.job === 'failed') ? errorLines() : undefined));
    expect(journaled.map((l) => [l.event === 'system-error' && l.job, l.event === 'system-error' && l.message])).toEqual([
      ['requeued', expect.stringMatching(/^attempt interrupted: the worker on it stopped \(killed, out of memory\) or did not renew its lock for 1000 ms; queued again, another worker takes it$/)],
      ['failed', expect.stringMatching(/^given up by the queue: job stalled more than allowable limit \(the workers that took it stopped while on it: .*\); its file waits in processing\/: retry it alone, or set it aside if it ends a worker again$/)],
    ]);
    const traced = await cli(['trace', 'F951.xml', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(traced.stdout).toMatch(/system error: attempt interrupted: the worker on it stopped/);
    expect(traced.stdout).toMatch(/in processing\/ for op-alpha: .*F951\.xml.*\n +taken at \S+ and failed: given up by the queue: job stalled more than allowable limit .*; its job failed: chorus-flux jobs --config \S+ shows it; retry or set-aside once the cause is fixed\n/);
    expect(traced.stdout).not.toContain('claimed by the watcher'); // the wording of a file whose job is not known to have failed

    const listed = await cli(['jobs', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('job stalled more than allowable limit');
    expect(listed.stdout).toContain(`chorus-flux set-aside --config ${setup.configFile} --reason "<why, for the partner>" ${id}`);

    // a reason is required: it goes to the partner
    const noReason = await cli(['set-aside', id, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason/);

    const reason = 'Le fichier arrête le traitement à chaque essai ; merci de le scinder en plusieurs flux.';
    // where the refusal's 93 goes stands a file: this job is said not set aside (exit 1), left
    // failed with its file, the failure journaled; no stack, no exit 2
    const outbox = path.join(setup.config.paths.out, 'statut', 'op-alpha');
    const moved = existsSync(outbox) ? `${outbox}.aside` : undefined;
    if (moved) renameSync(outbox, moved);
    mkdirSync(path.dirname(outbox), { recursive: true });
    writeFileSync(outbox, 'not a folder');
    const blocked = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(blocked.stdout).toMatch(new RegExp(`^not-written +${id} +op-alpha/F951.xml +the refusal could not be written: .*statut/op-alpha.*; the job is left failed`, 'm'));
    expect(blocked.stdout).toContain('0 set aside, 0 already finished, 1 not set aside');
    expect(blocked.code).toBe(1);
    expect(await s.queue.getJobState(id)).toBe('failed');
    expect(existsSync(claim.path)).toBe(true);
    const failedLines = (await readJournalDay(path.join(setup.config.paths.out, 'journal'), day)).lines.filter((l) => l.event === 'system-error' && l.sha256 === sha);
    expect(failedLines.at(-1)).toMatchObject({ file: 'op-alpha/F951.xml', message: expect.stringMatching(/^set aside by the operator, but the refusal could not be written: /) });
    rmSync(outbox);
    if (moved) renameSync(moved, outbox);

    const set = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(set.stderr).toBe('');
    expect(set.stdout).toMatch(new RegExp(`^set-aside +${id} +op-alpha/F951.xml +refused with the reason given \\(it had failed \\d+ time\\(s\\): job stalled more than allowable limit\\)`, 'm'));
    expect(set.stdout).toContain('1 set aside, 0 already finished, 0 not set aside');
    expect(set.code).toBe(0);
    expect(await s.queue.getJob(id)).toBeUndefined();
    expect(existsSync(claim.path)).toBe(false);

    // one outcome, refused with the operator's reason; the original kept untouched in error/
    const out = setup.config.paths.out;
    const { lines } = await readJournalDay(path.join(out, 'journal'), day);
    const outcomes = lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome' && l.sha256 === sha);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'refused', file: 'op-alpha/F951.xml' });
    const message = `The file was set aside by the operator without being processed: ${reason}`;
    expect(outcomes[0].findings).toEqual([expect.objectContaining({ rule: 'FLUX-ECARTE', message })]);
    const kept = path.join(out, 'error', day, 'F951.xml');
    expect(readFileSync(kept, 'utf8')).toBe(invoiceNumbered(951));
    expect(JSON.parse(readFileSync(`${kept}.reason.json`, 'utf8')).findings[0]).toMatchObject({ rule: 'FLUX-ECARTE', message });
    // the partner is told, in a flow that passes its XSD
    const flows = readdirSync(path.join(out, 'statut', 'op-alpha')).map((f) => path.join(out, 'statut', 'op-alpha', f));
    const told = flows.filter((f) => readFileSync(f, 'utf8').includes('FLUX-ECARTE'));
    expect(told).toHaveLength(1);
    expect(readFileSync(told[0], 'utf8')).toContain('<IdStatut>93</IdStatut>');
    expect(validateFiles(SCHEMAS.statut, told).flatMap((r) => r.errors)).toEqual([]);

    const clean = await reconcileDay({ config: setup.config, date: day });
    expect(clean.report?.anomalies).toEqual([]);
    expect(clean.exitCode).toBe(0);

    // set aside again (a script stopped half-way, run again with the same ids): the job is gone,
    // its content's mark is the set-aside refusal: said so, exit 0, nothing more written
    const again = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(new RegExp(`^already-set-aside ${id} +op-alpha/F951.xml +set aside before \\(outcome refused\\): nothing more written$`, 'm'));
    expect(again.stdout).toContain('0 set aside, 1 already set aside, 0 already finished, 0 not set aside');
    expect(again.code).toBe(0);
    const asJson = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile, '--json'], { timeoutMs: 60_000 });
    expect(asJson.code).toBe(0);
    expect(JSON.parse(asJson.stdout)).toEqual([{ id, file: 'op-alpha/F951.xml', result: 'already-set-aside', detail: 'set aside before (outcome refused): nothing more written' }]);
    // a job id no queue ever had, of a content never processed, is still unknown: exit 1
    const unknown = fluxJobId(sha256(Buffer.from('never received')), claim.claimId);
    const mixed = await cli(['set-aside', id, unknown, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toMatch(new RegExp(`^not-found +${unknown} +no job has this id`, 'm'));
    const after = (await readJournalDay(path.join(out, 'journal'), day)).lines;
    expect(after.filter((l) => l.event === 'outcome' && l.sha256 === sha)).toHaveLength(1);
    expect(readdirSync(path.join(out, 'statut', 'op-alpha')).filter((f) => readFileSync(path.join(out, 'statut', 'op-alpha', f), 'utf8').includes('FLUX-ECARTE'))).toHaveLength(1);

    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
  }, 180_000);
});
