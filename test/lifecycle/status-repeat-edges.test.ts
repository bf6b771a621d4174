/**
 * Lifecycle edges the model-based test (lifecycle-model.test.ts) left out, each against
 * DESIGN §4, the README's rule table and docs/OPERATIONS.md ("A finance SI's statuses at the edges of the lifecycle"):
 * 1. the same status (06, 07) sent twice by the finance SI, in two files and within one;
 * 2. the completion of an invoice its SI suspended that still lacks what the recipient requires
 *    (the Lycée requires an engagement number, and here a complementary attachment too);
 * 3. a status from the SI after a completion (07 after 12): applied, forwarded to the depositor;
 * 4. SERVICE_FAIT then 06 or 11 (allowed), then what is refused, with its rule and reason.
 * Every output through the official oracle; the day reconciles clean.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { LifecycleStore } from '../../src/lifecycle/store';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { cli } from '../helpers/cli';
import { journalOutcomes, outputOracle } from '../helpers/output-oracle';
import { FIXTURES_INBOX, listFiles, resultOf, runFilesOnce, tempDir } from '../helpers/run';
import { siStatusFlow, type SiStatus } from '../helpers/statut';
import { withAttachments } from '../helpers/ubl-attachments';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const LYCEE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
const SUPPLIER = '99746507500015';
const VALMONT = '21787789300016';
const LYCEE_SIRET = '19494032600011';
const BL_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'))![1];
const EXAMPLE = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8'));

describe('lifecycle edges', () => {
  const root = tempDir('cf-status-repeat-');
  // the bundled example, the Lycée (which requires an engagement number) also requiring a complementary attachment
  const configFile = path.join(root, 'config.json');
  const out = path.join(root, 'out');
  writeFileSync(configFile, JSON.stringify({ ...EXAMPLE, paths: { out }, partners: EXAMPLE.partners.map(({ inbox: _, ...p }: { inbox?: string }) => p), recipients: EXAMPLE.recipients.map((r: { recepteurId: string }) => (r.recepteurId === 'LYCJM01' ? { ...r, requiredAttachment: true } : r)) }));
  const config = loadConfig(configFile);
  const run = async (partner: string, name: string, content: string) => resultOf(await runFilesOnce(root, config, [[partner, name, content]]), `${partner}/${name}`);
  const to = (r: Awaited<ReturnType<typeof run>>, folder: string) => r.outputs.filter((o) => o.path.startsWith(`statut/${folder}/`)).map((o) => path.join(out, o.path));
  const codes = (files: string[]) => files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/<IdStatut>(\d+)<\/IdStatut>/g)].map((m) => m[1]));
  const invoice = (n: string) => PAPETERIE.replace(/F-2026-0101/g, n);
  const line = (n: string, idStatut: string, horodatage: string, extra: Partial<SiStatus> = {}): SiStatus => ({ supplierId: SUPPLIER, buyerSiret: VALMONT, idFacture: n, idStatut, horodatage, commentaire: `statut ${idStatut}`, ...extra });
  const lycee = (n: string) => withAttachments([{ id: 'BL-1', description: 'Bon de livraison signé', name: 'BL signé.pdf', mime: 'application/pdf', data: BL_PDF }], LYCEE.replace(/A-2026-0007/g, n));
  const noPj = (n: string) => LYCEE.replace(/A-2026-0007/g, n);
  const lyceeLine = (n: string, idStatut: string, horodatage: string): SiStatus => ({ supplierId: SUPPLIER, buyerSiret: LYCEE_SIRET, idFacture: n, idStatut, horodatage, commentaire: 'Pièce justificative manquante' });
  const state = (r: Awaited<ReturnType<typeof run>>) => [r.outcome, r.invoices.map((i) => `${i.outcome} ${i.state}`), r.findings.map((f) => f.rule)];

  it('the same status again, in another file or twice in one, changes nothing: applied, nothing forwarded twice, nothing sent back', async () => {
    expect((await run('op-alpha', 'a.xml', invoice('F-REP-1'))).outcome).toBe('accepted');
    const first = await run('si-valmont', 's1.xml', siStatusFlow('SI-A1', [line('F-REP-1', '06', '2026-11-25T10:00:00+01:00')]));
    expect(state(first)).toEqual(['status-applied', ['status SUSPENDUE'], []]);
    expect(codes(to(first, 'op-alpha'))).toEqual(['06']);
    const store = new LifecycleStore(path.join(config.paths.state, 'invoices'));
    const [before] = await store.read(SUPPLIER, 'F-REP-1');
    // later or earlier, other words: the same status
    const again = await run('si-valmont', 's2.xml', siStatusFlow('SI-A2', [line('F-REP-1', '06', '2026-11-25T11:00:00+01:00'), line('F-REP-1', '06', '2026-11-25T09:00:00+01:00', { commentaire: 'autre motif' })]));
    const twice = await run('si-valmont', 's3.xml', siStatusFlow('SI-A3', [line('F-REP-1', '06', '2026-11-25T12:00:00+01:00'), line('F-REP-1', '06', '2026-11-25T12:00:00+01:00')]));
    expect(state(again)).toEqual(['status-applied', ['status SUSPENDUE', 'status SUSPENDUE'], []]);
    expect(state(twice)).toEqual(['status-applied', ['status SUSPENDUE', 'status SUSPENDUE'], []]);
    expect([...again.outputs, ...twice.outputs].map((o) => o.kind)).toEqual(['archive', 'archive']);
    const [after] = await store.read(SUPPLIER, 'F-REP-1');
    expect([after.state, after.suspendedAt, after.suspendReason, after.history.length]).toEqual(['SUSPENDUE', before.suspendedAt, 'statut 06', before.history.length]);
  }, 20_000);

  it("a completion of an invoice its SI suspended that still lacks the engagement number or attachment: suspended by chorus-flux (06 with the reason to the depositor), still the SI's (it may reject it, the operator may not)", async () => {
    const deposited = await run('op-alpha', 'l.xml', lycee('A-REP-9'));
    const idCpro = deposited.invoices[0].idCpro;
    expect([deposited.outcome, idCpro]).toEqual(['accepted', expect.stringMatching(/^\d+$/)]);
    expect(state(await run('LYCJM01', 'ls.xml', siStatusFlow('LY-1', [lyceeLine('A-REP-9', '06', '2026-11-25T10:00:00+01:00')])))).toEqual(['status-applied', ['status SUSPENDUE'], []]);
    const noEj = lycee('A-REP-9').replace(/\s*<cac:OrderReference>\s*<cbc:ID>BC-LYC-2026-112<\/cbc:ID>\s*<\/cac:OrderReference>/, '');
    const c = await run('op-alpha', 'l-complete.xml', noEj);
    expect([c.outcome, c.invoices[0].outcome, c.invoices[0].idCpro, c.findings.map((f) => f.rule)]).toEqual(['suspended', 'suspended', idCpro, ['CPRO-ENGAGEMENT']]);
    expect(c.outputs.filter((o) => o.kind !== 'archive').map((o) => o.path.split('/').slice(0, 2).join('/'))).toEqual(['statut/op-alpha']);
    expect(codes(to(c, 'op-alpha'))).toEqual(['06']);
    // the SI that suspended it still holds it: the operator's reject is for invoices chorus-flux never sent
    const rejected = await cli(['reject', idCpro!, '--reason', 'jamais complétée', '--config', configFile]);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout + rejected.stderr).toContain('was suspended by its finance SI');
    const complete = await run('op-alpha', 'l-complete2.xml', `${lycee('A-REP-9')}<!-- complétée -->\n`);
    expect([complete.outcome, complete.invoices[0].outcome, complete.invoices[0].idCpro, complete.invoices[0].renvoi]).toEqual(['accepted', 'completed', idCpro, 'Complétée']);
    expect(codes(to(complete, 'LYCJM01'))).toEqual(['12']);
    // the attachment missing instead, and the SI rejecting it
    expect((await run('op-alpha', 'm.xml', lycee('A-REP-10'))).outcome).toBe('accepted');
    await run('LYCJM01', 'ms.xml', siStatusFlow('LY-2', [lyceeLine('A-REP-10', '06', '2026-11-25T10:00:00+01:00')]));
    const m = await run('op-alpha', 'm-complete.xml', noPj('A-REP-10'));
    expect([m.outcome, m.findings.map((f) => f.rule), codes(to(m, 'op-alpha')), to(m, 'LYCJM01')]).toEqual(['suspended', ['CPRO-PJ-REQUISE'], ['06'], []]);
    const rej = await run('LYCJM01', 'mr.xml', siStatusFlow('LY-3', [lyceeLine('A-REP-10', '05', '2026-11-26T10:00:00+01:00')]));
    expect(state(rej)).toEqual(['status-applied', ['status REJETEE'], []]);
    expect(codes(to(rej, 'op-alpha'))).toEqual(['05']);
  }, 30_000);

  it('a status after a completion applies and goes to the depositor of the completion; SERVICE_FAIT twice in one flow is forwarded once', async () => {
    expect((await run('op-alpha', 'b.xml', invoice('F-REP-2'))).outcome).toBe('accepted');
    await run('si-valmont', 'x1.xml', siStatusFlow('SI-X1', [line('F-REP-2', '06', '2026-11-25T10:00:00+01:00')]));
    const completed = await run('op-beta', 'b2.xml', `${invoice('F-REP-2')}<!-- BL -->\n`);
    expect(completed.invoices[0]).toMatchObject({ outcome: 'completed', renvoi: 'Complétée' });
    const fait = await run('si-valmont', 'x3.xml', siStatusFlow('SI-X3', [line('F-REP-2', '07', '2026-11-26T10:00:00+01:00'), line('F-REP-2', '07', '2026-11-26T10:00:00+01:00')]));
    expect(state(fait)).toEqual(['status-applied', ['status SERVICE_FAIT', 'status SERVICE_FAIT'], []]);
    expect(codes(to(fait, 'op-beta'))).toEqual(['07']);
    expect(fait.outputs.filter((o) => o.kind === 'cdar').map((o) => path.basename(o.path).split('_').slice(0, 2).join('_'))).toEqual(['CDV-205_Approuvee']);
    expect(to(fait, 'op-alpha')).toEqual([]);
    const again = await run('si-valmont', 'x4.xml', siStatusFlow('SI-X4', [line('F-REP-2', '07', '2026-11-26T11:00:00+01:00')]));
    expect(state(again)).toEqual(['status-applied', ['status SERVICE_FAIT'], []]);
    expect(again.outputs.map((o) => o.kind)).toEqual(['archive']);
  }, 20_000);

  it('SERVICE_FAIT may become SUSPENDUE or MISE_EN_PAIEMENT; not A_RECYCLER, COMPLETEE or back: refused CPRO-STATUT-TRANSITION with the states allowed', async () => {
    expect((await run('op-alpha', 'c.xml', invoice('F-REP-3'))).outcome).toBe('accepted');
    await run('si-valmont', 'y1.xml', siStatusFlow('SI-Y1', [line('F-REP-3', '07', '2026-11-26T10:00:00+01:00')]));
    const refused = await run('si-valmont', 'y2.xml', siStatusFlow('SI-Y2', ['04', '12', '03'].map((c) => line('F-REP-3', c, '2026-11-26T11:00:00+01:00'))));
    expect(state(refused)).toEqual(['refused', Array(3).fill('refused SERVICE_FAIT'), Array(3).fill('CPRO-STATUT-TRANSITION')]);
    expect(refused.findings[0].message).toContain('it cannot become A_RECYCLER (04). Allowed from SERVICE_FAIT: MANDATEE, MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE, MISE_EN_PAIEMENT, REJETEE, SUSPENDUE.');
    // the one for a 12 is longer than 300 characters: cut in the 93, whole in the journal; the
    // states allowed come first, so the SI reads them all (it was told half of them: cut mid-list)
    const journaled = journalOutcomes(out).find((o) => o.file === 'si-valmont/y2.xml')!.invoices![1].findings![0].message;
    expect(journaled.length).toBeGreaterThan(300);
    expect(journaled).toMatch(/cannot become COMPLETEE \(12\)\. Allowed from SERVICE_FAIT: .*SUSPENDUE\. A finance SI does not complete an invoice: its supplier does/);
    expect(codes(to(refused, 'si-valmont'))).toContain('93');
    const told = to(refused, 'si-valmont').map((f) => readFileSync(f, 'utf8')).join('\n');
    const aboutTwelve = told.split(/<\/?LigneErreurDetail>/).find((d) => d.includes('cannot become COMPLETEE'));
    expect(aboutTwelve).toContain('Allowed from SERVICE_FAIT: MANDATEE, MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE, MISE_EN_PAIEMENT, REJETEE, SUSPENDUE.');
    const suspended = await run('si-valmont', 'y3.xml', siStatusFlow('SI-Y3', [line('F-REP-3', '06', '2026-11-26T12:00:00+01:00'), line('F-REP-3', '07', '2026-11-26T13:00:00+01:00')]));
    expect(state(suspended)).toEqual(['status-applied', ['status SUSPENDUE', 'refused SUSPENDUE'], ['CPRO-STATUT-TRANSITION']]);
    expect(suspended.findings[0].message).toContain('the invoice is SUSPENDUE (06); it cannot become SERVICE_FAIT (07). Allowed from SUSPENDUE: REJETEE.');
    expect(codes(to(suspended, 'si-valmont'))).toContain('96');
    expect(codes(to(suspended, 'op-alpha'))).toEqual(['06']);

    expect((await run('op-alpha', 'd.xml', invoice('F-REP-4'))).outcome).toBe('accepted');
    const paid = await run('si-valmont', 'z1.xml', siStatusFlow('SI-Z1', [line('F-REP-4', '07', '2026-11-26T10:00:00+01:00'), line('F-REP-4', '11', '2026-11-26T11:00:00+01:00'), line('F-REP-4', '06', '2026-11-26T12:00:00+01:00')]));
    expect(state(paid)).toEqual(['status-applied', ['status SERVICE_FAIT', 'status MISE_EN_PAIEMENT', 'refused MISE_EN_PAIEMENT'], ['CPRO-STATUT-TRANSITION']]);
    expect(paid.findings[0].message).toContain('it cannot become SUSPENDUE (06). Allowed from MISE_EN_PAIEMENT: none.');
    expect(codes(to(paid, 'op-alpha'))).toEqual(['07', '11']);
  }, 20_000);

  it('every output passes the official oracle (reasons at most 300 characters) and the day reconciles clean', async () => {
    const report = await outputOracle(out, { facturx: config.facturx?.enabled ?? false, statusFormats: Object.fromEntries(config.partners.map((p) => [p.id, [...p.statusFormats]])) });
    expect(report.problems).toEqual([]);
    expect(report.counts.statut).toBeGreaterThan(12);
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: config.timezone }).format(new Date());
    const r = await reconcileDay({ config, date, reportDir: path.join(root, 'reports') });
    expect([r.error, r.report?.anomalies, r.exitCode]).toEqual([undefined, [], 0]);
    expect(listFiles(out).some((f) => f.startsWith('journal/'))).toBe(true);
  }, 60_000);
});
