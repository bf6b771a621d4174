/**
 * Status flows at the edges of the lifecycle, found by an audit:
 * - a works invoice's MOE, in a folder named after its recepteurId, was read as partner
 *   "default" and refused as a stranger, its reply written to statut/default/;
 * - the COMPLETEE of a works invoice the MOE suspended went to the commune's finance SI, which
 *   never had it, and the MOE was never told;
 * - a finance SI could reject an invoice the pipeline had suspended on deposit (it never had
 *   it): the supplier's completion then became a DOUBLON, and the invoice could never go out;
 * - a status arriving late (an older Horodatage) replaced a newer one;
 * - a blank Commentaire hid the SI's ComplementStatut from the lifecycle, trace and the CDAR;
 * - the 93 refusing a whole CPPStatut named its file, where the 96 names the SI's IdFlx;
 * - a status dated before the suspension its supplier had since answered (the SI's flow sent
 *   again after a 96) suspended the completed invoice again, and the supplier was asked again;
 * - values the XSD takes in another lexical form (IdStatut `+07`, `008`; a DateFacture with its
 *   time zone) were refused as "not an invoice status", "not a date";
 * - trace listed a step told late as the invoice's last status, as if it had gone back;
 * - a step told late was forwarded when the invoice could not take it at its moment (a 07 of
 *   10:30 about an invoice recycled at 10:00 and rejected at 11:00 told its supplier SERVICE_FAIT).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { traceCommand } from '../../src/cli/commands/trace';
import { LifecycleStore } from '../../src/lifecycle/store';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, resultOf, runFilesOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { validateFiles, validateStrings } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const WORKS = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/decompte-travaux-a4.xml'), 'utf8');
const AVOIR = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const WORKS_SUPPLIER = '95181909300018';
const VALMONT = '21787789300016';
const LYCEE = '19494032600011';
const SUPPLIER = '99746507500015';

const only = resultOf;

const v = (file: string, expr: string) => xpath(file, `string(${expr})`);

describe('status flows at the edges of the lifecycle', () => {
  const root = tempDir('cf-si-edges-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const run = (files: [string, string, string][]) => runFilesOnce(root, config, files);
  const outputsOf = (r: ReturnType<typeof only>, prefix: string) => r.outputs.filter((o) => o.path.startsWith(prefix)).map((o) => path.join(out, o.path));

  it("takes a works invoice's MOE as its status sender, and sends it the COMPLETEE once its supplier completes it", async () => {
    const deposited = only(await run([['op-alpha', 'tr.xml', WORKS]]), 'op-alpha/tr.xml');
    expect(deposited.outputs.filter((o) => o.kind === 'pivot').map((o) => o.path.split('/')[1])).toEqual(['MOEMOR01']);
    const suspend = siStatusFlow('MOE-1', [{ supplierId: WORKS_SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'TR-2026-0311', commentaire: 'PV de réception manquant' }]);
    const s = only(await run([['MOEMOR01', 'suspendre.xml', suspend]]), 'MOEMOR01/suspendre.xml');
    expect([s.outcome, s.invoices[0].state, s.findings.map((f) => f.rule)]).toEqual(['status-applied', 'SUSPENDUE', []]);
    expect(s.outputs.some((o) => o.path.startsWith('statut/default/'))).toBe(false);

    const completed = only(await run([['op-alpha', 'tr-complete.xml', WORKS.replace('</Invoice>', '<!-- PV joint -->\n</Invoice>')]]), 'op-alpha/tr-complete.xml');
    expect(completed.invoices[0]).toMatchObject({ outcome: 'completed', renvoi: 'Complétée' });
    expect(completed.outputs.filter((o) => o.kind === 'pivot').map((o) => o.path.split('/')[1])).toEqual(['MOEMOR01']);
    const toMoe = outputsOf(completed, 'statut/MOEMOR01/');
    expect(toMoe).toHaveLength(1);
    expect([v(toMoe[0], '//Recepteur/Id'), v(toMoe[0], '//CPPFactureStatutUnitaire/DonneesStatut/IdStatut')]).toEqual(['MOEMOR01', '12']);
    expect(v(toMoe[0], '//Recepteur/Libelle')).toContain('MOE');
    expect(validateFiles(SCHEMAS.statut, toMoe).flatMap((r) => r.errors)).toEqual([]);
    // the commune's finance SI never had this invoice: it hears nothing of it
    expect(outputsOf(completed, 'statut/VALM01/')).toEqual([]);
    expect(outputsOf(completed, 'statut/si-valmont/')).toEqual([]);
  });

  it('refuses a status about an invoice the pipeline suspended on deposit, so that its completion still goes out', async () => {
    const noEngagement = AVOIR.replace(/<cac:OrderReference>[^]*?<\/cac:OrderReference>\s*/, '');
    expect(only(await run([['op-alpha', 'avoir.xml', noEngagement]]), 'op-alpha/avoir.xml').invoices[0].outcome).toBe('suspended');
    const reject = siStatusFlow('LYC-1', [{ supplierId: SUPPLIER, buyerSiret: LYCEE, idStatut: '05', idFacture: 'A-2026-0007', commentaire: 'Rejet' }]);
    const r = only(await run([['LYCJM01', 'rejet.xml', reject]]), 'LYCJM01/rejet.xml');
    expect([r.outcome, r.findings.map((f) => f.rule)]).toEqual(['refused', ['CPRO-STATUT-NON-TRANSMISE']]);
    expect(r.invoices[0].state).toBe('SUSPENDUE');
    const completed = only(await run([['op-alpha', 'avoir-complet.xml', AVOIR]]), 'op-alpha/avoir-complet.xml');
    expect(completed.invoices[0].outcome).toBe('completed');
  });

  it('refuses a status older than the last one applied, whatever order the files come in, and a blank Commentaire does not hide the ComplementStatut', async () => {
    const inv = PAPETERIE.replace(/F-2026-0101/g, 'F-ORDRE-1');
    expect(only(await run([['op-alpha', 'f.xml', inv]]), 'op-alpha/f.xml').outcome).toBe('accepted');
    const line = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-ORDRE-1' };
    const fait = only(await run([['si-valmont', 'fait.xml', siStatusFlow('SI-O1', [{ ...line, idStatut: '07', horodatage: '2026-11-25T10:00:00+01:00' }])]]), 'si-valmont/fait.xml');
    expect(fait.invoices[0].state).toBe('SERVICE_FAIT');
    // the suspension of the 20th, delivered after the service fait of the 25th
    const late = siStatusFlow('SI-O2', [{ ...line, idStatut: '06', horodatage: '2026-11-20T10:00:00+01:00' }]).replace('<IdStatut>06</IdStatut>', '<IdStatut>06</IdStatut><ComplementStatut>Pièce manquante</ComplementStatut><Commentaire>   </Commentaire>');
    const r = only(await run([['si-valmont', 'tard.xml', late]]), 'si-valmont/tard.xml');
    expect([r.outcome, r.findings.map((f) => f.rule), r.invoices[0].state]).toEqual(['refused', ['CPRO-STATUT-ANTERIEUR'], 'SERVICE_FAIT']);
    expect(r.findings[0].message).toContain('2026-11-25T10:00:00+01:00');
    expect(outputsOf(r, 'statut/op-alpha/')).toEqual([]);
    // the 93 names the SI's own id for its flow, as the 96 does
    const answer = outputsOf(r, 'statut/si-valmont/');
    expect(answer).toHaveLength(1);
    expect(v(answer[0], '//CPPFluxStatutUnitaire/DonneesStatut/IdFlux')).toBe('SI-O2');
    // and trace finds the file by that id, the one the SI knows it by
    const lines: string[] = [];
    expect(await traceCommand('SI-O2', { out }, (x) => lines.push(x))).toBe(0);
    expect(lines.join('')).toMatch(/file si-valmont\/tard\.xml .*\n.*\n?[^]*outcome: refused \(CPPStatut, its sender's flow id SI-O2\)/);

    // a later suspension applies, its reason the ComplementStatut behind a blank Commentaire
    const later = late.replace('SI-O2', 'SI-O3').replace('2026-11-20T10:00:00+01:00', '2026-11-26T10:00:00+01:00');
    const s = only(await run([['si-valmont', 'suspendre.xml', later]]), 'si-valmont/suspendre.xml');
    expect([s.outcome, s.invoices[0].state, s.invoices[0].reason]).toEqual(['status-applied', 'SUSPENDUE', 'Pièce manquante']);
    const [rec] = await new LifecycleStore(path.join(config.paths.state, 'invoices')).read(SUPPLIER, 'F-ORDRE-1');
    expect([rec.suspendReason, rec.history.at(-1)]).toEqual(['Pièce manquante', expect.objectContaining({ state: 'SUSPENDUE', by: 'finance-si', reason: 'Pièce manquante', siAt: '2026-11-26T10:00:00+01:00' })]);
    const cdarDir = outputsOf(s, 'cdar/op-alpha/');
    expect(cdarDir).toEqual([]); // op-alpha asks for CPPStatut only: the forwarded flow says it
    const forwarded = outputsOf(s, 'statut/op-alpha/');
    expect(forwarded).toHaveLength(1);
    expect(v(forwarded[0], '//CPPFactureStatutUnitaire/DonneesStatut/IdStatut')).toBe('06');
  });

  it('forwards a step told after a newer one (SERVICE_FAIT of 09:00 after MANDATEE of 10:00: files crossing), the invoice staying MANDATEE; told again, nothing more', async () => {
    const inv = PAPETERIE.replace(/F-2026-0101/g, 'F-CROISE-1');
    expect(only(await run([['op-alpha', 'f.xml', inv]]), 'op-alpha/f.xml').outcome).toBe('accepted');
    const line = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-CROISE-1' };
    const mandatee = only(await run([['si-valmont', 'b.xml', siStatusFlow('SI-C8', [{ ...line, idStatut: '08', horodatage: '2026-11-25T10:00:00+01:00' }])]]), 'si-valmont/b.xml');
    expect(mandatee.invoices[0].state).toBe('MANDATEE');
    const fait = only(await run([['si-valmont', 'a.xml', siStatusFlow('SI-C7', [{ ...line, idStatut: '07', horodatage: '2026-11-25T09:00:00+01:00', commentaire: 'Service fait le 25' }])]]), 'si-valmont/a.xml');
    // it was refused as older (CPRO-STATUT-ANTERIEUR) for ever: the supplier never heard of the service fait, which starts the payment delay
    expect([fait.outcome, fait.findings, fait.invoices[0].state]).toEqual(['status-applied', [], 'MANDATEE']);
    const forwarded = outputsOf(fait, 'statut/op-alpha/');
    expect(forwarded).toHaveLength(1);
    expect([v(forwarded[0], '//CPPFactureStatutUnitaire/DonneesStatut/IdStatut'), v(forwarded[0], '//CPPFactureStatutUnitaire/DonneesStatut/Horodatage')]).toEqual(['07', expect.stringContaining('2026-11-25T09:00:00')]);
    expect(validateFiles(SCHEMAS.statut, forwarded).flatMap((r) => r.errors)).toEqual([]);
    expect(outputsOf(fait, 'statut/si-valmont/')).toEqual([]); // no 93 for a true flow
    const [rec] = await new LifecycleStore(path.join(config.paths.state, 'invoices')).read(SUPPLIER, 'F-CROISE-1');
    expect([rec.state, rec.history.at(-1)]).toEqual(['MANDATEE', expect.objectContaining({ state: 'SERVICE_FAIT', late: true, siAt: '2026-11-25T09:00:00+01:00' })]);
    // trace says so: its history's last line is not a step back from MANDATEE
    const traced: string[] = [];
    expect(await traceCommand('F-CROISE-1', { out }, (x) => traced.push(x))).toBe(0);
    expect(traced.join('')).toMatch(/SERVICE_FAIT by finance-si \(its Horodatage 2026-11-25T09:00:00\+01:00\) told after a newer status: forwarded, the state kept/);
    // the same step in another file: known, not forwarded again
    const again = only(await run([['si-valmont', 'a2.xml', siStatusFlow('SI-C7B', [{ ...line, idStatut: '07', horodatage: '2026-11-25T09:30:00+01:00' }])]]), 'si-valmont/a2.xml');
    expect([again.outcome, outputsOf(again, 'statut/op-alpha/')]).toEqual(['status-applied', []]);
    // a status after MANDATEE is judged against MANDATEE's moment, not the late step's
    const older = only(await run([['si-valmont', 'c.xml', siStatusFlow('SI-C9', [{ ...line, idStatut: '09', horodatage: '2026-11-25T09:45:00+01:00' }])]]), 'si-valmont/c.xml');
    expect(older.findings.map((f) => f.rule)).toEqual(['CPRO-STATUT-ANTERIEUR']);
    // late, a status no SI may send (12 COMPLETEE, 03 MISE_A_DISPOSITION) or one that would ask the
    // supplier for what no longer applies (06 SUSPENDUE) is refused as older, and forwards nothing
    for (const [id, code] of [['SI-L12', '12'], ['SI-L03', '03'], ['SI-L06', '06']]) {
      const late = only(await run([['si-valmont', `${id}.xml`, siStatusFlow(id, [{ ...line, idStatut: code, horodatage: '2026-11-25T08:00:00+01:00' }])]]), `si-valmont/${id}.xml`);
      expect([code, late.outcome, late.findings.map((f) => f.rule), outputsOf(late, 'statut/op-alpha/')]).toEqual([code, 'refused', ['CPRO-STATUT-ANTERIEUR'], []]);
    }
    // and they did not reset the older-status check: an 08 older than the last status is still refused
    const stale = only(await run([['si-valmont', 'd.xml', siStatusFlow('SI-C8B', [{ ...line, idStatut: '10', horodatage: '2026-11-25T08:30:00+01:00' }])]]), 'si-valmont/d.xml');
    expect([stale.findings.map((f) => f.rule), stale.invoices[0].state]).toEqual([['CPRO-STATUT-ANTERIEUR'], 'MANDATEE']);
  });

  it('refuses a step told late that the invoice could not take at its moment (SERVICE_FAIT of 10:30 between A_RECYCLER of 10:00 and REJETEE of 11:00), and still forwards one it could', async () => {
    const inv = (n: string) => PAPETERIE.replace(/F-2026-0101/g, n);
    expect(only(await run([['op-alpha', 'f.xml', inv('F-TARD-1')], ['op-alpha', 'g.xml', inv('F-TARD-2')]]), 'op-alpha/f.xml').outcome).toBe('accepted');
    const line = (idFacture: string, idStatut: string, horodatage: string) => ({ supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture, idStatut, horodatage });
    // F-TARD-1 recycled at 10:00, then rejected at 11:00; F-TARD-2 rejected at 11:00 only
    only(await run([['si-valmont', 'r.xml', siStatusFlow('SI-T4', [line('F-TARD-1', '04', '2026-11-26T10:00:00+01:00')])]]), 'si-valmont/r.xml');
    const rejected = only(await run([['si-valmont', 'j.xml', siStatusFlow('SI-T5', [line('F-TARD-1', '05', '2026-11-26T11:00:00+01:00'), line('F-TARD-2', '05', '2026-11-26T11:00:00+01:00')])]]), 'si-valmont/j.xml');
    expect(rejected.invoices.map((i) => i.state)).toEqual(['REJETEE', 'REJETEE']);
    const late = only(await run([['si-valmont', 'l.xml', siStatusFlow('SI-T7', [line('F-TARD-1', '07', '2026-11-26T10:30:00+01:00'), line('F-TARD-2', '07', '2026-11-26T10:30:00+01:00')])]]), 'si-valmont/l.xml');
    // the recycled invoice was with its supplier at 10:30, never a service fait: its supplier was told
    // SERVICE_FAIT of an invoice recycled then rejected; the one rejected after its service fait is told it
    expect(late.outcome).toBe('status-applied');
    expect(late.findings.map((f) => [f.rule, f.message.includes('(then 04, which cannot become 07)')])).toEqual([['CPRO-STATUT-ANTERIEUR', true]]);
    const forwarded = outputsOf(late, 'statut/op-alpha/');
    expect(forwarded).toHaveLength(1);
    expect([v(forwarded[0], '//CPPFactureStatutUnitaire/DonneesStatut/IdFacture'), v(forwarded[0], 'count(//CPPFactureStatutUnitaire)')]).toEqual(['F-TARD-2', '1']);
    expect(validateFiles(SCHEMAS.statut, [...forwarded, ...outputsOf(late, 'statut/si-valmont/')]).flatMap((r) => r.errors)).toEqual([]);
    const [rec] = await new LifecycleStore(path.join(config.paths.state, 'invoices')).read(SUPPLIER, 'F-TARD-1');
    expect([rec.state, rec.history.at(-1)?.state]).toEqual(['REJETEE', 'REJETEE']);
  });

  it('refuses a status dated more than a day ahead (a year mistyped: it blocked every true status after it as older)', async () => {
    const inv = PAPETERIE.replace(/F-2026-0101/g, 'F-FUTUR-1');
    expect(only(await run([['op-alpha', 'f.xml', inv]]), 'op-alpha/f.xml').outcome).toBe('accepted');
    const line = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-FUTUR-1' };
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/^\d{4}/, (y) => String(Number(y) + 36));
    const r = only(await run([['si-valmont', 'f.xml', siStatusFlow('SI-F1', [{ ...line, idStatut: '07', horodatage: future }])]]), 'si-valmont/f.xml');
    expect([r.outcome, r.findings.map((f) => f.rule)]).toEqual(['refused', ['CPRO-STATUT-HORODATAGE']]);
    expect(r.findings[0].message).toContain(`Horodatage ${future} is in the future`);
    expect(outputsOf(r, 'statut/op-alpha/')).toEqual([]);
    // a true status is applied after it
    const ok = only(await run([['si-valmont', 'g.xml', siStatusFlow('SI-F2', [{ ...line, idStatut: '07', horodatage: new Date().toISOString() }])]]), 'si-valmont/g.xml');
    expect([ok.outcome, ok.invoices[0].state]).toEqual(['status-applied', 'SERVICE_FAIT']);
  });

  it("records on each invoice the forwarded flow that carries its line, not the others' of the same CPPStatut", async () => {
    await run([
      ['op-alpha', 'a.xml', PAPETERIE.replace(/F-2026-0101/g, 'F-REC-A')],
      ['op-beta', 'b.xml', PAPETERIE.replace(/F-2026-0101/g, 'F-REC-B')],
    ]);
    const line = (n: string) => ({ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: n });
    const r = only(await run([['si-valmont', 'deux.xml', siStatusFlow('SI-REC', [line('F-REC-A'), line('F-REC-B'), line('F-REC-INCONNUE')])]]), 'si-valmont/deux.xml');
    expect(r.outputs.filter((o) => o.kind === 'statut').map((o) => o.path.split('/')[1]).sort()).toEqual(['op-alpha', 'op-beta', 'si-valmont']);
    const store = new LifecycleStore(path.join(config.paths.state, 'invoices'));
    for (const [n, partner] of [['F-REC-A', 'op-alpha'], ['F-REC-B', 'op-beta']]) {
      const [rec] = await store.read(SUPPLIER, n);
      const fromThisFile = rec.outputs.filter((o) => o.source === r.sha256);
      // its depositor's flow (CPPStatut, and CDAR where the partner asked for it), nothing else
      expect([n, [...new Set(fromThisFile.map((o) => o.path.split('/')[1]))]]).toEqual([n, [partner]]);
      expect(fromThisFile.some((o) => o.path.startsWith(`statut/${partner}/`))).toBe(true);
    }
  });

  it('refuses, once the supplier completed the invoice, the suspension it answered told again, or a status older than it: the SI flow sent again after its 96', async () => {
    const inv = PAPETERIE.replace(/F-2026-0101/g, 'F-RENVOI-1');
    expect(only(await run([['op-alpha', 'f.xml', inv]]), 'op-alpha/f.xml').outcome).toBe('accepted');
    const suspension = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-RENVOI-1', idStatut: '06', horodatage: '2026-11-25T10:00:00+01:00', commentaire: 'Joindre le bon de livraison' };
    const unknown = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-RENVOI-INCONNUE', idStatut: '07', horodatage: '2026-11-25T10:00:00+01:00' };
    const first = only(await run([['si-valmont', 's1.xml', siStatusFlow('SI-R1', [suspension, unknown])]]), 'si-valmont/s1.xml');
    expect([first.outcome, first.invoices[0].state, first.findings.map((f) => f.rule)]).toEqual(['status-applied', 'SUSPENDUE', ['CPRO-STATUT-INCONNUE']]);
    const completed = only(await run([['op-alpha', 'f-complete.xml', inv.replace('</Invoice>', '<!-- BL joint -->\n</Invoice>')]]), 'op-alpha/f-complete.xml');
    expect(completed.invoices[0]).toMatchObject({ outcome: 'completed', renvoi: 'Complétée' });
    // the SI sends its flow again, the unknown line mended: the suspension already answered is not news
    const again = only(await run([['si-valmont', 's2.xml', siStatusFlow('SI-R2', [suspension, { ...unknown, idFacture: 'F-RENVOI-1', idStatut: '07', horodatage: '2026-11-24T09:00:00+01:00' }])]]), 'si-valmont/s2.xml');
    expect([again.outcome, again.findings.map((f) => f.rule), again.invoices.map((i) => i.state)]).toEqual(['refused', ['CPRO-STATUT-ANTERIEUR', 'CPRO-STATUT-ANTERIEUR'], ['MISE_A_DISPOSITION', 'MISE_A_DISPOSITION']]);
    expect(again.findings[0].message).toContain('06 of 2026-11-25T10:00:00+01:00, which the supplier has since answered');
    expect(outputsOf(again, 'statut/op-alpha/')).toEqual([]);
    const [rec] = await new LifecycleStore(path.join(config.paths.state, 'invoices')).read(SUPPLIER, 'F-RENVOI-1');
    expect(rec.state).toBe('MISE_A_DISPOSITION');
    // another status on the completed invoice applies and is forwarded, even dated the same moment (an SI that dates by the day)
    const fait = only(await run([['si-valmont', 's3.xml', siStatusFlow('SI-R3', [{ ...suspension, idStatut: '07', commentaire: undefined }])]]), 'si-valmont/s3.xml');
    expect([fait.outcome, fait.invoices[0].state, outputsOf(fait, 'statut/op-alpha/')]).toEqual(['status-applied', 'SERVICE_FAIT', [expect.any(String)]]);
  });

  it('reads a status code and a DateFacture by their value, as the XSD does (+07, 008, 2026-11-02+01:00)', async () => {
    expect(only(await run([['op-alpha', 'v.xml', PAPETERIE.replace(/F-2026-0101/g, 'F-VALEUR-1')]]), 'op-alpha/v.xml').outcome).toBe('accepted');
    const line = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-VALEUR-1' };
    const flow = siStatusFlow('SI-V1', [
      { ...line, idStatut: '+07', horodatage: '2026-11-25T10:00:00+01:00', dateFacture: '2026-11-02+01:00' },
      { ...line, idStatut: '008', horodatage: '2026-11-26T10:00:00+01:00', dateFacture: '2026-11-02Z' },
    ]);
    expect(validateStrings(SCHEMAS.statut, [flow]).flatMap((r) => r.errors)).toEqual([]);
    const r = only(await run([['si-valmont', 'v.xml', flow]]), 'si-valmont/v.xml');
    expect([r.outcome, r.findings.map((f) => f.rule), r.invoices.map((i) => i.state)]).toEqual(['status-applied', [], ['SERVICE_FAIT', 'MANDATEE']]);
    const forwarded = outputsOf(r, 'statut/op-alpha/');
    expect(forwarded).toHaveLength(1);
    expect([v(forwarded[0], '//CPPFactureStatutUnitaire[1]/DonneesStatut/IdStatut'), v(forwarded[0], '//CPPFactureStatutUnitaire[2]/DonneesStatut/IdStatut')]).toEqual(['07', '08']);
    expect(validateFiles(SCHEMAS.statut, forwarded).flatMap((x) => x.errors)).toEqual([]);
    // the year still tells invoices apart: another year is no invoice known
    const other = only(await run([['si-valmont', 'w.xml', siStatusFlow('SI-V2', [{ ...line, idStatut: '09', horodatage: '2026-11-27T10:00:00+01:00', dateFacture: '2025-11-02+01:00' }])]]), 'si-valmont/w.xml');
    expect(other.findings.map((f) => f.rule)).toEqual(['CPRO-STATUT-INCONNUE']);
  });

  it("reads a Horodatage without a time zone in the installation's, not the server's", async () => {
    expect(only(await run([['op-alpha', 'z.xml', PAPETERIE.replace(/F-2026-0101/g, 'F-ZONE-1')]]), 'op-alpha/z.xml').outcome).toBe('accepted');
    const line = { supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: 'F-ZONE-1' };
    // 10:30 in Paris (09:30 UTC), then 11:00+01:00 (10:00 UTC): the second is the newer
    const first = only(await run([['si-valmont', 'z1.xml', siStatusFlow('SI-Z1', [{ ...line, idStatut: '07', horodatage: '2026-11-25T10:30:00' }])]]), 'si-valmont/z1.xml');
    expect(first.invoices[0].state).toBe('SERVICE_FAIT');
    const second = only(await run([['si-valmont', 'z2.xml', siStatusFlow('SI-Z2', [{ ...line, idStatut: '06', horodatage: '2026-11-25T11:00:00+01:00' }])]]), 'si-valmont/z2.xml');
    expect([second.outcome, second.findings.map((f) => f.rule), second.invoices[0].state]).toEqual(['status-applied', [], 'SUSPENDUE']);
    // and 10:45 in Paris (09:45 UTC) is older than 11:00+01:00 (10:00 UTC): refused
    const third = only(await run([['si-valmont', 'z3.xml', siStatusFlow('SI-Z3', [{ ...line, idStatut: '05', horodatage: '2026-11-25T10:45:00' }])]]), 'si-valmont/z3.xml');
    expect(third.findings.map((f) => f.rule)).toEqual(['CPRO-STATUT-ANTERIEUR']);
  });
});
