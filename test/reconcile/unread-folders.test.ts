/**
 * A file in an upload folder beside the configured inboxes that is no partner's inbox (a new
 * partner's SFTP folder nobody configured): `watch` never reads it, so the nightly
 * reconciliation reports it as `not-picked-up` with the rule FLUX-PARTENAIRE-INCONNU, every
 * night until it is moved (not on its upload day alone, as a file of a run's folder that names
 * no partner), under no partner. Folders that are no upload folder (a dot-folder, one listed
 * in `watch.notInboxes`) are not scanned; a file there that a `run` took is not reported.
 * `trace` finds such a file, and says why it waits.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { traceCommand } from '../../src/cli/commands/trace';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { fixedClock } from '../../src/util/clock';
import { at, batch, buildCleanDay, DAY, drop, NEXT_DAY, papeterie, writeConfigFile, type BuiltDay } from './day-builder';

const RULE = 'FLUX-PARTENAIRE-INCONNU';

let day: BuiltDay;
beforeAll(async () => {
  day = await buildCleanDay();
});

it('is reported every night until moved, with the rule, the folder, the inboxes and a partner named alike', async () => {
  const sftp = path.join(day.root, 'sftp'); // where the partners' inboxes are (day-builder)
  const initech = drop(sftp, 'initech', 'facture-nouveau-partenaire.xml', papeterie('F-2026-0190'), at('2026-03-07', '09:00'));
  const upper = drop(sftp, 'OP-ALPHA', 'facture-majuscules.xml', papeterie('F-2026-0191'), at('2026-03-07', '09:05'));
  const hidden = drop(sftp, '.trash', 'facture-jetee.xml', papeterie('F-2026-0192'), at('2026-03-07', '09:10'));
  try {
    // put there just now (their change time): given the threshold first, as any inbox file
    expect((await reconcileDay({ config: day.config, date: DAY, clock: fixedClock('2026-03-12T03:00:00Z'), write: false })).report!.anomalies.filter((a) => a.rule === RULE)).toEqual([]);
    const later = fixedClock(new Date(Date.now() + 2 * 3_600_000).toISOString());
    for (const date of [DAY, NEXT_DAY]) {
      const r = await reconcileDay({ config: day.config, date, clock: later, write: false });
      expect(r.exitCode).toBe(1);
      const found = r.report!.anomalies.filter((a) => a.type === 'not-picked-up');
      expect(found.map((a) => [a.file, a.rule, a.partner, a.since])).toEqual([
        [upper, RULE, undefined, '2026-03-07T08:05:00.000Z'],
        [initech, RULE, undefined, '2026-03-07T08:00:00.000Z'],
      ]);
      const [u, i] = found;
      expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(i.message).toContain(`${initech} (uploaded 2026-03-07T08:00:00.000Z) was never received by the pipeline: ${RULE} the folder ${path.join(sftp, 'initech')} lies beside the partners' inboxes but is none of them, and watch reads the configured inboxes only (${path.join(sftp, 'op-alpha')} (op-alpha), `);
      expect(i.message).toContain('Nothing is taken from it: set its partner\'s "inbox" to it in (reconcile test) (a new partner: add it to "partners"), or move the files into their partner\'s inbox; a folder that is no partner\'s upload folder is listed in "watch.notInboxes".');
      expect(u.message).toContain(`it differs only by case or Unicode form from the partner "op-alpha", whose inbox is ${path.join(sftp, 'op-alpha')}.`);
      expect(r.report!.anomalies.some((a) => a.file === hidden)).toBe(false);
    }
    // trace finds it, and says why it waits (run's folders that name no partner are found so too)
    let said = '';
    expect(await traceCommand('facture-nouveau-partenaire.xml', { config: writeConfigFile(day.root), out: day.out, json: true }, (t) => (said += t))).toBe(0);
    expect(JSON.parse(said).waiting).toEqual([
      expect.objectContaining({ where: 'inbox', path: initech, rule: RULE, why: expect.stringMatching(new RegExp(`^watch never reads its folder: ${RULE} the folder ${path.join(sftp, 'initech')} lies beside the partners' inboxes`)) }),
    ]);
    // folders the configuration says are no upload folder (watch.notInboxes): not reported
    const told = { ...day.config, watch: { ...day.config.watch, notInboxes: [path.join(sftp, 'initech'), path.join(sftp, 'OP-ALPHA')] } };
    expect((await reconcileDay({ config: told, date: DAY, clock: later, write: false })).report!.anomalies.filter((a) => a.rule === RULE)).toEqual([]);
    // a run given the folder took its file (as "default"): received, not reported
    await batch(day.config, path.join(sftp, 'initech'), 'run-initech', at(NEXT_DAY, '08:00'));
    const r = await reconcileDay({ config: day.config, date: NEXT_DAY, clock: later, write: false });
    expect(r.report!.anomalies.filter((a) => a.rule === RULE).map((a) => a.file)).toEqual([upper]);
  } finally {
    for (const f of [initech, upper, hidden]) rmSync(path.dirname(f), { recursive: true, force: true });
  }
  // moved: the day is clean again
  expect((await reconcileDay({ config: day.config, date: DAY, clock: fixedClock(new Date(Date.now() + 2 * 3_600_000).toISOString()), write: false })).exitCode).toBe(0);
});
