/**
 * `chorus-flux set-aside` killed (SIGKILL) at two moments `killfuzz --kill set-aside` found
 * wrong, then run again as an operator would:
 * - after its flows were named, before its outcome was marked (before-journal), run again with
 *   other words: until 2026-12-07 the 93 (and the error/ copy's .reason.json) was written again
 *   under the same name with the new words, where the partner may have taken the first. The
 *   words of the first run are recorded with the attempt before any flow is named, and stand.
 * - after its refusal was journaled and marked, before it removed the claimed file
 *   (after-set-aside-refusal): until 2026-12-07 the run again took the file as a content met
 *   again, journaled a second line about it (`already-processed`) and said the job `finished`.
 *   It now removes the file, writes nothing more, and says `set-aside`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls } from '../helpers/stalled-twice';

describeRedis('set-aside killed, then run again', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);
  const statutDir = () => path.join(setup.config.paths.out, 'statut', 'op-alpha');
  const flows = () => (existsSync(statutDir()) ? readdirSync(statutDir()).filter((f) => !f.startsWith('.')) : []);
  const linesAbout = async (sha: string) => (await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone))).lines.filter((l) => 'sha256' in l && l.sha256 === sha);

  it('killed after naming its flows, run again with other words: the 93 keeps the first words and its bytes', async () => {
    const { sha, id, last } = await failedByStalls(setup, s, 971);
    // the next case fails its own job by two workers' deaths: no worker of this one may take it
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const first = 'Le fichier arrête le traitement (premier essai).';
    const killed = await cli(['set-aside', id, '--reason', first, '--config', setup.configFile], { env: { CHORUS_FLUX_FAULT: 'before-journal' }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    const named = flows().filter((f) => readFileSync(path.join(statutDir(), f), 'utf8').includes('FLUX-ECARTE'));
    expect(named).toHaveLength(1);
    const bytes = readFileSync(path.join(statutDir(), named[0]), 'utf8');
    expect(bytes).toContain(first);

    const again = await cli(['set-aside', id, '--reason', 'Autres mots, au second essai.', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stdout).toContain('1 set aside');
    expect(again.stdout).toContain(`refused with the words of an earlier set-aside, interrupted after it may have sent them, not the ones given now (The file was set aside by the operator without being processed: ${first})`);
    expect(flows().filter((f) => readFileSync(path.join(statutDir(), f), 'utf8').includes('FLUX-ECARTE'))).toEqual(named);
    expect(readFileSync(path.join(statutDir(), named[0]), 'utf8')).toBe(bytes);
    const outcomes = (await linesAbout(sha)).filter((l) => l.event === 'outcome');
    expect(outcomes).toHaveLength(1);
    const o = outcomes[0] as { findings?: { rule: string; message: string }[]; outputs: { kind: string; path: string }[] };
    expect(o.findings?.[0]).toMatchObject({ rule: 'FLUX-ECARTE', message: `The file was set aside by the operator without being processed: ${first}` });
    const reason = o.outputs.find((x) => x.kind === 'reason')!;
    expect(JSON.parse(readFileSync(path.join(setup.config.paths.out, reason.path), 'utf8')).findings[0].message).toBe(o.findings?.[0].message);
  }, 180_000);

  it('killed after its refusal, before removing the file: run again, it removes the file and journals nothing more', async () => {
    const { sha, id, claim } = await failedByStalls(setup, s, 972);
    const reason = 'Le fichier arrête le traitement à chaque essai.';
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env: { CHORUS_FLUX_FAULT: 'after-set-aside-refusal' }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(claim.path)).toBe(true);
    const before = (await linesAbout(sha)).map((l) => l.event);
    expect(before.filter((e) => e === 'outcome')).toHaveLength(1);

    const again = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(new RegExp(`^set-aside +${id} +op-alpha/F972.xml +.*refused by an earlier set-aside, interrupted before it removed the file: nothing more written$`, 'm'));
    expect(existsSync(claim.path)).toBe(false);
    expect((await linesAbout(sha)).map((l) => l.event)).toEqual(before);
    expect(await s.queue.getJob(id)).toBeUndefined();
    const more = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(more.code).toBe(0);
    expect(more.stdout).toContain('already-set-aside');
  }, 180_000);
});
