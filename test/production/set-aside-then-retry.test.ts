/**
 * `chorus-flux set-aside` killed (SIGKILL) after it wrote the partner's refusal (93 FLUX-ECARTE,
 * CDAR 501) and the error/ copy, before its outcome was journaled and marked (before-journal);
 * the operator then runs `chorus-flux retry` on the job instead of set-aside again, and a worker
 * takes it. Until 2026-12-07 the worker processed the file as any other: accepted, a pivot sent
 * to the finance SI, while the 93 and CDAR 501 that told the partner its file was refused stayed
 * in statut/ and cdar/ (with the error/ copy and its .reason.json), listed by no outcome (the
 * reconciliation: four orphan-output, exit 1). The operator's refusal, recorded with the content's
 * attempt before any of its flows was named, now stands: the worker finishes it (same flows, same
 * bytes, outcome `refused` journaled once), and `retry` says so on the job's line. The same for an
 * oversize file (the worker refused it FLUX-TAILLE, its 93 and CDAR 501 rewritten under the
 * set-aside's names with those words) and for a copy of the same bytes that comes meanwhile (it
 * was accepted).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { claimFile } from '../../src/ingest/claim';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions } from '../../src/queue/flux-queue';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls } from '../helpers/stalled-twice';
import { until } from '../helpers/until';
import { startWorkerProcess } from '../helpers/worker-process';

/** The files under <out>/<folder> for each folder (dotfiles left out unless asked), relative to out, sorted. */
function filesUnder(out: string, folders: string[], dotfiles = false): string[] {
  return folders
    .map((f) => path.join(out, f))
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && (dotfiles || !e.name.startsWith('.'))).map((e) => path.relative(out, path.join(e.parentPath, e.name))))
    .sort();
}

/** Their texts, by path relative to out. */
function textsOf(out: string, files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, readFileSync(path.join(out, f), 'utf8')]));
}

// an oversize file too (limits.maxFileBytes under the invoice's 6.5 kB): the worker refuses it
// unread, FLUX-TAILLE; until 2026-12-07 its 93 and CDAR 501 took the names of the set-aside's
// (the same attempt's), rewritten with other words
describeRedis.each([
  ['a file the worker would accept', {}],
  ['an oversize file', { limits: { maxFileBytes: 4000 } }],
] as const)('set-aside killed, then its job retried: %s', (_what, limits) => {
  const setup = prodSetup({
    partners: ['op-alpha'],
    worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 },
    // a partner that takes CDAR too: told by a 93 and a CDAR 501
    extra: { partners: [{ id: 'op-alpha', inbox: 'in/op-alpha', statusFormats: ['CPPStatut', 'CDAR'] }], ...limits },
  });
  const s = queueSuite(setup);
  const out = () => setup.config.paths.out;
  const filesIn = (...folders: string[]) => filesUnder(out(), folders);
  const bytesOf = (files: string[]) => textsOf(out(), files);

  it('the worker finishes the refusal the set-aside began: same flows, same bytes, journaled once, nothing accepted', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, 981);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const reason = 'Le fichier arrête le traitement à chaque essai.';
    const message = `The file was set aside by the operator without being processed: ${reason}`;
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env: { CHORUS_FLUX_FAULT: 'before-journal' }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    // what the killed set-aside left: the partner's refusal (a 93, a CDAR 501), the error/ copy
    const written = filesIn('statut', 'cdar', 'error');
    expect(written).toEqual([expect.stringMatching(/^cdar\/op-alpha\/CDV-501_/), expect.stringMatching(/^error\/\d{4}-\d\d-\d\d\/F981\.xml$/), expect.stringMatching(/^error\/\d{4}-\d\d-\d\d\/F981\.xml\.reason\.json$/), expect.stringMatching(/^statut\/op-alpha\//)]);
    const before = bytesOf(written);
    expect(before[written[3]]).toContain('FLUX-ECARTE');
    expect(before[written[3]]).toContain(reason);

    const retried = await cli(['retry', id, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect({ code: retried.code, stderr: retried.stderr }).toEqual({ code: 0, stderr: '' });
    expect(retried.stdout).toMatch(new RegExp(`^retried +${id} +op-alpha/F981.xml +queued again \\(it had failed 1 time\\(s\\): [^\\n]*\\); a set-aside of this file was interrupted after its refusal may have gone out to the partner: the worker finishes that refusal \\(${message.replace(/[.()]/g, '\\$&')}\\), the file is not processed$`, 'm'));
    const w = startWorkerProcess(setup.configFile);
    s.workers.push(w);
    await until('the job done', async () => {
      const st = await s.queue.getJobState(id);
      return st === 'completed' || st === 'unknown' || st === 'failed' ? st : undefined;
    });
    expect(await s.queue.getJobState(id)).not.toBe('failed');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);

    // nothing accepted: no pivot, no archive, no lifecycle record; the refusal's flows as they were
    expect(filesIn('pivot', 'archive', 'state/invoices')).toEqual([]);
    expect(filesIn('statut', 'cdar', 'error')).toEqual(written);
    expect(bytesOf(written)).toEqual(before);
    expect(existsSync(claim.path)).toBe(false);
    // one outcome, refused with the operator's words, listing every flow the partner may have taken
    const day = dayOf(new Date(), setup.config.timezone);
    const lines = (await readJournalDay(path.join(out(), 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === sha);
    const outcomes = lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'refused', file: 'op-alpha/F981.xml', partner: 'op-alpha', findings: [expect.objectContaining({ rule: 'FLUX-ECARTE', message })] });
    expect(outcomes[0].outputs.map((o) => o.path).sort()).toEqual(written);

    const clean = await reconcileDay({ config: setup.config, date: day, write: false });
    expect(clean.report?.anomalies).toEqual([]);
    expect(clean.exitCode).toBe(0);

    // set aside again (what the operator could have run instead): the job is done, refused; nothing more written
    const again = await cli(['set-aside', id, '--reason', 'autres mots', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^finished +${id} +op-alpha/F981.xml +the job is completed \\(outcome refused\\): nothing to do$`, 'm'));
    expect(bytesOf(written)).toEqual(before);
    expect((await readJournalDay(path.join(out(), 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === sha && l.event === 'outcome')).toHaveLength(1);
  }, 180_000);
});

// the same bytes dropped again by the partner, under another name, before the operator came back to
// the job: the copy's worker finishes the set-aside's refusal (as the file set aside: its name, its
// day, its words), and the original job, retried then, finds the content refused
describeRedis('set-aside killed, then a copy of the file comes', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);
  const out = () => setup.config.paths.out;
  const filesIn = (...folders: string[]) => filesUnder(out(), folders);
  const bytesOf = (files: string[]) => textsOf(out(), files);

  it('the copy ends refused as the file set aside, with the same flows; the job retried then finds it so', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, 982);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const reason = 'Le fichier arrête le traitement à chaque essai.';
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env: { CHORUS_FLUX_FAULT: 'before-journal' }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    const written = filesIn('statut', 'cdar', 'error');
    expect(written).toHaveLength(3);
    const before = bytesOf(written);

    const src = path.join(setup.inbox('op-alpha'), 'F982-bis.xml');
    writeFileSync(src, invoiceNumbered(982));
    const copy = await claimFile(src, setup.config.paths.processing, 'op-alpha');
    if (!copy) throw new Error('claim failed');
    const copyId = fluxJobId(sha, copy.claimId);
    await s.queue.add('flux', { path: copy.path, name: copy.name, relPath: 'op-alpha/F982-bis.xml', partner: 'op-alpha', sha256: sha, claimId: copy.claimId }, { ...fluxJobOptions(setup.config), jobId: copyId });
    const w = startWorkerProcess(setup.configFile);
    s.workers.push(w);
    await until('the copy done', async () => ((await s.queue.getJobState(copyId)) === 'completed' ? true : undefined));
    expect(filesIn('pivot', 'archive', 'state/invoices')).toEqual([]);
    expect(filesIn('statut', 'cdar', 'error')).toEqual(written);
    expect(bytesOf(written)).toEqual(before);

    // the original's job, retried: its worker finds the content refused (the copy's outcome), writes nothing
    const retried = await cli(['retry', id, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(new RegExp(`^retried +${id} +op-alpha/F982.xml +queued again \\(it had failed 1 time\\(s\\): [^\\n;]*\\)$`, 'm'));
    await until('the original done', async () => ((await s.queue.getJobState(id)) === 'completed' ? true : undefined));
    expect(existsSync(claim.path)).toBe(false);
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);

    const day = dayOf(new Date(), setup.config.timezone);
    const lines = (await readJournalDay(path.join(out(), 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === sha);
    const outcomes = lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'refused', file: 'op-alpha/F982-bis.xml', replayOf: { file: 'op-alpha/F982.xml' }, findings: [expect.objectContaining({ rule: 'FLUX-ECARTE', message: `The file was set aside by the operator without being processed: ${reason}` })] });
    expect(outcomes[0].outputs.map((o) => o.path).sort()).toEqual(written);
    expect(lines.filter((l) => l.event === 'already-processed')).toEqual([expect.objectContaining({ file: 'op-alpha/F982.xml' })]);
    expect(filesIn('pivot', 'archive', 'state/invoices')).toEqual([]);
    expect(filesIn('statut', 'cdar', 'error')).toEqual(written);
    expect(bytesOf(written)).toEqual(before);
    const clean = await reconcileDay({ config: setup.config, date: day, write: false });
    expect(clean.report?.anomalies).toEqual([]);
    expect(clean.exitCode).toBe(0);
  }, 180_000);
});

// the set-aside killed in the middle of writing the partner's 93 (its temp file written, not yet
// renamed), the worker already running (its start's sweep of the outboxes long past, as in an
// installation that runs for weeks): the worker that finishes the refusal after `retry` sweeps the
// dead writer's temp file, as `set-aside` run again does. Until 2026-12-07 it was left in
// statut/op-alpha/ (found by `killfuzz --kill set-aside` with its retries)
describeRedis('set-aside killed inside the write of its 93, then its job retried', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);
  const out = () => setup.config.paths.out;
  // temp files included (their names start with a dot)
  const all = (...folders: string[]) => filesUnder(out(), folders, true);

  it('the worker finishing the refusal leaves no temp file of the killed write', async () => {
    const { sha, id, last } = await failedByStalls(setup, s, 983);
    // a worker up before the kill, as in production (its start swept the outboxes then)
    const w = startWorkerProcess(setup.configFile);
    s.workers.push(w);
    await until('the worker up', async () => ((await s.queue.getWorkers()).length >= 2 ? true : undefined));
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const reason = 'Le fichier arrête le traitement à chaque essai.';
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env: { KILL_IN_TEMP_WRITE: '/statut/', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.resolve(__dirname, '../helpers/kill-in-temp-write.js')}`.trim() }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    const temps = (list: string[]) => list.filter((f) => path.basename(f).startsWith('.') && f.endsWith('.tmp'));
    expect(temps(all('statut'))).toEqual([expect.stringMatching(/^statut\/op-alpha\/\./)]);

    const retried = await cli(['retry', id, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('the worker finishes that refusal');
    await until('the job done', async () => {
      const st = await s.queue.getJobState(id);
      return st === 'completed' || st === 'unknown' || st === 'failed' ? st : undefined;
    });
    expect(await s.queue.getJobState(id)).not.toBe('failed');
    expect(temps(all('statut', 'cdar', 'error', 'archive', 'pivot'))).toEqual([]);
    expect(all('pivot', 'archive')).toEqual([]);
    const day = dayOf(new Date(), setup.config.timezone);
    const outcomes = (await readJournalDay(path.join(out(), 'journal'), day)).lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome' && l.sha256 === sha);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'refused', findings: [expect.objectContaining({ rule: 'FLUX-ECARTE', message: `The file was set aside by the operator without being processed: ${reason}` })] });
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const clean = await reconcileDay({ config: setup.config, date: day, write: false });
    expect(clean.report?.anomalies).toEqual([]);
  }, 180_000);
});

// the set-aside killed after its outcome was journaled and marked (the mark noting the line),
// before it removed the file (after-set-aside-refusal): the operator retries the job instead of running set-aside again. The file has its
// outcome, its own: `retry` finishes what the set-aside left (the file removed, the job off the
// failed list), as set-aside run again does. Until 2026-12-07 the job was queued again and its
// worker journaled the same deposit `already-processed` beside its outcome (trace: a copy; the
// reconciliation: one more file "already processed"), found by `killfuzz --kill set-aside`
describeRedis('set-aside killed after its refusal, before it removed the file, then its job retried', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);
  const out = () => setup.config.paths.out;

  it('retry says the file is finished, removes it; no second line about the deposit', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, 984);
    const reason = 'Le fichier arrête le traitement à chaque essai.';
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env: { CHORUS_FLUX_FAULT: 'after-set-aside-refusal' }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(claim.path)).toBe(true);

    const retried = await cli(['retry', id, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect({ code: retried.code, stderr: retried.stderr }).toEqual({ code: 0, stderr: '' });
    expect(retried.stdout).toMatch(new RegExp(`^finished +${id} +op-alpha/F984.xml +`, 'm'));
    await until('the claimed file gone', async () => (existsSync(claim.path) ? undefined : true));
    // a worker running meanwhile has nothing to take
    await new Promise((r) => setTimeout(r, 1500));
    const state = await s.queue.getJobState(id);
    expect(['completed', 'unknown']).toContain(state);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const day = dayOf(new Date(), setup.config.timezone);
    const lines = (await readJournalDay(path.join(out(), 'journal'), day)).lines.filter((l) => 'sha256' in l && l.sha256 === sha);
    expect(lines.filter((l) => l.event === 'already-processed')).toEqual([]);
    const outcomes = lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'refused', file: 'op-alpha/F984.xml', findings: [expect.objectContaining({ rule: 'FLUX-ECARTE' })] });
    const clean = await reconcileDay({ config: setup.config, date: day, write: false });
    expect(clean.report?.anomalies).toEqual([]);
  }, 180_000);
});
