/**
 * The invoice lifecycle end to end, through files only, with the embedded runner (IPM4-003):
 * deposit → pivot; the finance SI suspends → SUSPENDU to the depositor; the supplier
 * completes → COMPLETEE to the finance SI + the pivot again (Renvoi Complétée, same IdCPRO);
 * A_RECYCLER → corrected flow with Renvoi Recyclée; duplicates refused (DOUBLON); impossible
 * transitions and unknown invoices refused with a reason. Dropping any file again changes nothing.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { overdueSuspensions } from '../../src/lifecycle/overdue';
import { LifecycleStore } from '../../src/lifecycle/store';
import type { RunSummary } from '../../src/runner/embedded';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { withAttachments } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const BL_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'))![1];
const SUPPLIER = '99746507500015';
const VALMONT = '21787789300016';

function drop(inbox: string, partner: string, name: string, content: string | Buffer): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

function newest(s: RunSummary, file: string) {
  const r = s.results.find((x) => x.file === file);
  if (!r) throw new Error(`no result for ${file}: ${s.results.map((x) => x.file).join(', ')}`);
  return r;
}

const v = (file: string, expr: string) => xpath(file, `string(${expr})`);

describe('suspension by the finance SI, completion by the supplier', () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const config = bundledConfig(out);
  let idCpro: string;
  let firstPivot: string;

  it('deposit → pivot with Renvoi Non', async () => {
    drop(inbox, 'op-alpha', '1-facture.xml', PAPETERIE);
    const s = await runOnce(inbox, config);
    const r = newest(s, 'op-alpha/1-facture.xml');
    expect(r.outcome).toBe('accepted');
    firstPivot = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    idCpro = v(firstPivot, '//IdCPRO');
    expect(idCpro).toMatch(/^\d+$/);
    expect(v(firstPivot, '//Renvoi')).toBe('Non');
  });

  it('the finance SI drops SUSPENDUE → a SUSPENDU flow (06 + reason) goes to the depositor', async () => {
    drop(inbox, 'si-valmont', '2-statut-suspendue.xml', siStatusFlow('SI-0001', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'Bon de livraison manquant : merci de joindre le BL signé.' }]));
    const s = await runOnce(inbox, config);
    const r = newest(s, 'si-valmont/2-statut-suspendue.xml');
    expect(r.outcome).toBe('status-applied');
    expect(r.invoices[0]).toMatchObject({ number: 'F-2026-0101', idCpro, state: 'SUSPENDUE' });
    const flow = r.outputs.find((o) => o.kind === 'statut' && o.path.startsWith('statut/op-alpha/'));
    expect(flow).toBeDefined();
    const f = path.join(out, flow!.path);
    expect(v(f, '//CPPFactureStatutUnitaire/DonneesStatut/IdStatut')).toBe('06');
    expect(v(f, '//CPPFactureStatutUnitaire/DonneesStatut/Commentaire')).toBe('Bon de livraison manquant : merci de joindre le BL signé.');
    expect(v(f, '//IdFacture')).toBe('F-2026-0101');
  });

  it('the supplier drops the completion → COMPLETEE to the finance SI and the pivot again (Complétée, same IdCPRO, added attachment)', async () => {
    drop(inbox, 'op-alpha', '3-completion.xml', withAttachments([{ id: 'BL-1', description: 'Bon de livraison signé', name: 'BL signé.pdf', mime: 'application/pdf', data: BL_PDF }]));
    const s = await runOnce(inbox, config);
    const r = newest(s, 'op-alpha/3-completion.xml');
    expect(r.outcome).toBe('accepted');
    expect(r.invoices[0]).toMatchObject({ outcome: 'completed', idCpro, renvoi: 'Complétée' });
    const pivot = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(pivot).not.toBe(firstPivot);
    expect(v(pivot, '//IdCPRO')).toBe(idCpro);
    expect(v(pivot, '//Renvoi')).toBe('Complétée');
    expect(v(pivot, "//PJ[NomPJOrigine='BL signé.pdf']/CategoriePJ")).toBe('Bon de livraison');
    const completee = r.outputs.find((o) => o.kind === 'statut' && o.path.startsWith('statut/si-valmont/'));
    expect(completee).toBeDefined();
    expect(v(path.join(out, completee!.path), '//IdStatut')).toBe('12');
  });

  it('every flow emitted validates against the official XSDs', () => {
    const files = listFiles(out);
    const pivots = files.filter((f) => f.startsWith('pivot/')).map((f) => path.join(out, f));
    const statuts = files.filter((f) => f.startsWith('statut/')).map((f) => path.join(out, f));
    for (const r of validateFiles(SCHEMAS.pivot, pivots)) expect(r.errors).toEqual([]);
    for (const r of validateFiles(SCHEMAS.statut, statuts)) expect(r.errors).toEqual([]);
  });

  it('dropping any of these files again changes nothing', async () => {
    const before = listFiles(out, ['journal', 'logs']).map((f) => [f, readFileSync(path.join(out, f), 'base64')]);
    copyFileSync(path.join(inbox, 'si-valmont/2-statut-suspendue.xml'), path.join(inbox, 'si-valmont/2-statut-suspendue-encore.xml'));
    copyFileSync(path.join(inbox, 'op-alpha/3-completion.xml'), path.join(inbox, 'op-alpha/3-completion-bis.xml'));
    copyFileSync(path.join(inbox, 'op-alpha/1-facture.xml'), path.join(inbox, 'op-alpha/1-facture-bis.xml'));
    const s = await runOnce(inbox, config);
    expect(new Set(s.results.map((r) => r.outcome))).toEqual(new Set(['already-processed']));
    const after = listFiles(out, ['journal', 'logs']).map((f) => [f, readFileSync(path.join(out, f), 'base64')]);
    expect(after).toEqual(before);
  });
});

describe("the finance SI's words", () => {
  it('are forwarded cut to 300 characters and kept whole in the journal (IPM4-009)', async () => {
    const inbox = tempDir('cf-inbox-');
    const out = tempDir('cf-out-');
    const config = bundledConfig(out);
    drop(inbox, 'op-alpha', '1-facture.xml', PAPETERIE);
    await runOnce(inbox, config);
    const words = Array.from({ length: 40 }, (_, k) => `motif${String(k).padStart(3, '0')} : pièce justificative manquante.`).join(' ');
    expect(words.length).toBeGreaterThan(1000);
    drop(inbox, 'si-valmont', '2-statut.xml', siStatusFlow('SI-0009', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: words }]));
    const r = newest(await runOnce(inbox, config), 'si-valmont/2-statut.xml');
    expect(r.invoices[0]).toMatchObject({ state: 'SUSPENDUE', reason: words });
    const forwarded = v(path.join(out, r.outputs.find((o) => o.kind === 'statut' && o.path.startsWith('statut/op-alpha/'))!.path), '//CPPFactureStatutUnitaire/DonneesStatut/Commentaire');
    expect([...forwarded].length).toBeLessThanOrEqual(300);
    expect(forwarded.endsWith('…')).toBe(true);
    const journal = listFiles(path.join(out, 'journal')).map((f) => readFileSync(path.join(out, 'journal', f), 'utf8')).join('');
    expect(journal).toContain('motif039 : pièce justificative manquante.');
  });
});

describe('transitions the finance SI may not make', () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const config = bundledConfig(out);

  beforeAll(async () => {
    drop(inbox, 'op-alpha', 'facture.xml', PAPETERIE);
    await runOnce(inbox, config);
  });

  it('COMPLETEE for an invoice never suspended is refused with the reason', async () => {
    drop(inbox, 'si-valmont', 'completee.xml', siStatusFlow('SI-0002', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '12', idFacture: 'F-2026-0101', dateFacture: '2026-11-02' }]));
    const r = newest(await runOnce(inbox, config), 'si-valmont/completee.xml');
    expect(r.outcome).toBe('refused');
    const f = r.findings.find((x) => x.rule === 'CPRO-STATUT-TRANSITION')!;
    expect(f.message).toMatch(/MISE_A_DISPOSITION.*cannot become COMPLETEE/);
    const back = r.outputs.find((o) => o.kind === 'statut' && o.path.startsWith('statut/si-valmont/'))!;
    expect(v(path.join(out, back.path), '//CPPFluxStatutUnitaire/DonneesStatut/IdStatut')).toBe('93');
    expect(r.outputs.some((o) => o.kind === 'error')).toBe(true);
  });

  it('a status from a partner that is not the recipient\'s finance SI is refused, and changes nothing', async () => {
    // op-alpha deposits invoices; it must not be able to suspend (or mark paid) anyone's
    drop(inbox, 'op-alpha', 'faux-statut.xml', siStatusFlow('SI-FAUX', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '11', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'Payée' }]));
    const r = newest(await runOnce(inbox, config), 'op-alpha/faux-statut.xml');
    expect(r.outcome).toBe('refused');
    expect(r.findings.map((x) => x.rule)).toEqual(['CPRO-STATUT-EMETTEUR']);
    expect(r.findings[0].message).toContain("partner op-alpha is not the finance system of this invoice's recipient: only that finance system may change its status");
    // whose invoice it is and which SI holds it are not the sender's to learn
    expect(r.findings[0].message).not.toMatch(/21787789300016|si-valmont/);
    // the refusal goes back to the sender, nothing is forwarded
    expect(r.outputs.filter((o) => o.kind === 'statut').every((o) => o.path.startsWith('statut/op-alpha/'))).toBe(true);
    expect(r.invoices[0].state).not.toBe('MISE_EN_PAIEMENT');
  });

  it('a status for an unknown invoice is refused', async () => {
    drop(inbox, 'si-valmont', 'inconnue.xml', siStatusFlow('SI-0003', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: 'NEXISTE-PAS' }]));
    const r = newest(await runOnce(inbox, config), 'si-valmont/inconnue.xml');
    expect(r.outcome).toBe('refused');
    expect(r.findings.map((x) => x.rule)).toEqual(['CPRO-STATUT-INCONNUE']);
  });

  it('a flow mixing a good and a bad line applies the good one and answers 96 for the bad one', async () => {
    drop(inbox, 'si-valmont', 'mixte.xml', siStatusFlow('SI-0004', [
      { supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'Service fait' },
      { supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: 'INCONNUE-2' },
    ]));
    const r = newest(await runOnce(inbox, config), 'si-valmont/mixte.xml');
    expect(r.outcome).toBe('status-applied');
    expect(r.invoices.map((i) => i.outcome)).toEqual(['status', 'refused']);
    const back = r.outputs.find((o) => o.kind === 'statut' && o.path.startsWith('statut/si-valmont/'))!;
    expect(v(path.join(out, back.path), '//CPPFluxStatutUnitaire/DonneesStatut/IdStatut')).toBe('96');
    const fwd = r.outputs.find((o) => o.kind === 'statut' && o.path.startsWith('statut/op-alpha/'))!;
    expect(v(path.join(out, fwd.path), '//IdStatut')).toBe('07');
  });
});

describe('recycling and duplicates', () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const config = bundledConfig(out);
  let idCpro: string;

  it('A_RECYCLER then the corrected flow → Renvoi Recyclée with the same IdCPRO', async () => {
    drop(inbox, 'op-alpha', 'a.xml', PAPETERIE);
    const first = newest(await runOnce(inbox, config), 'op-alpha/a.xml');
    idCpro = first.invoices[0].idCpro!;
    drop(inbox, 'si-valmont', 'recycler.xml', siStatusFlow('SI-0010', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '04', idFacture: 'F-2026-0101', commentaire: 'Code service erroné : utiliser SCOLAIRE' }]));
    const st = newest(await runOnce(inbox, config), 'si-valmont/recycler.xml');
    expect(st.invoices[0].state).toBe('A_RECYCLER');
    drop(inbox, 'op-alpha', 'a-corrigee.xml', PAPETERIE.replace('<cbc:BuyerReference>FINANCES</cbc:BuyerReference>', '<cbc:BuyerReference>SCOLAIRE</cbc:BuyerReference>'));
    const r = newest(await runOnce(inbox, config), 'op-alpha/a-corrigee.xml');
    expect(r.invoices[0]).toMatchObject({ outcome: 'recycled', idCpro, renvoi: 'Recyclée' });
    const pivot = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(v(pivot, '//Renvoi')).toBe('Recyclée');
    expect(v(pivot, '//CodeService')).toBe('SCOLAIRE');
    expect(v(pivot, '//IdCPRO')).toBe(idCpro);
  });

  it('the same invoice again, in another file and another syntax, is a duplicate: refused, nothing emitted', async () => {
    const pivotsBefore = listFiles(out).filter((f) => f.startsWith('pivot/'));
    // same business key (supplier + number + year) as a CII flow
    const cii = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-cii-hopital.xml'), 'utf8')
      .replace('<ram:ID>ISO-2026-1187</ram:ID>', '<ram:ID>F-2026-0101</ram:ID>')
      .replace(/99624595700013/g, SUPPLIER)
      .replace('FR73996245957', 'FR42997465075');
    drop(inbox, 'op-beta', 'doublon.xml', cii);
    const r = newest(await runOnce(inbox, config), 'op-beta/doublon.xml');
    expect(r.outcome).toBe('duplicate');
    expect(r.invoices[0]).toMatchObject({ outcome: 'duplicate', idCpro });
    expect(r.findings.find((f) => f.rule === 'CPRO-DOUBLON')!.message).toMatch(/DOUBLON/);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toEqual(pivotsBefore);
    const back = r.outputs.find((o) => o.kind === 'statut')!;
    expect(v(path.join(out, back.path), '//LigneErreurDetail/CodeErreur')).toBe('CPRO-DOUBLON');
    expect(r.outputs.some((o) => o.kind === 'error')).toBe(true);
  });
});

describe('suspension by the pipeline (a defect the supplier can complete)', () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const config = bundledConfig(out);
  const lycee = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');

  it('a missing engagement number the recipient requires suspends: SUSPENDU out, no pivot; the completion emits the pivot', async () => {
    drop(inbox, 'op-alpha', 'sans-ej.xml', lycee.replace(/\s*<cac:OrderReference>\s*<cbc:ID>BC-LYC-2026-112<\/cbc:ID>\s*<\/cac:OrderReference>/, ''));
    const r = newest(await runOnce(inbox, config), 'op-alpha/sans-ej.xml');
    expect(r.outcome).toBe('suspended');
    expect(r.outputs.filter((o) => o.kind === 'pivot')).toEqual([]);
    const sus = path.join(out, r.outputs.find((o) => o.kind === 'statut')!.path);
    expect(v(sus, '//IdStatut')).toBe('06');
    expect(v(sus, '//Commentaire')).toMatch(/engagement/);
    const idCpro = r.invoices[0].idCpro;
    expect(idCpro).toMatch(/^\d+$/);

    drop(inbox, 'op-alpha', 'avec-ej.xml', lycee);
    const c = newest(await runOnce(inbox, config), 'op-alpha/avec-ej.xml');
    expect(c.invoices[0]).toMatchObject({ outcome: 'completed', idCpro, renvoi: 'Complétée' });
    const pivot = path.join(out, c.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(v(pivot, '//NumeroEngagement')).toBe('BC-LYC-2026-112');
    expect(c.outputs.some((o) => o.kind === 'statut' && o.path.startsWith('statut/LYCJM01/'))).toBe(true);
  });

  it('the finance SI of a recipient without statusPartner sends its statuses from the folder named after its recepteurId', async () => {
    // LYCJM01 is no configured partner: the folder is known as the recipient's finance SI
    drop(inbox, 'LYCJM01', 'service-fait.xml', siStatusFlow('LYC-1', [{ supplierId: SUPPLIER, buyerSiret: '19494032600011', idStatut: '07', idFacture: 'A-2026-0007', dateFacture: '2026-11-05' }]));
    const r = newest(await runOnce(inbox, config), 'LYCJM01/service-fait.xml');
    expect(r.partner).toBe('LYCJM01');
    expect(r.invoices[0]).toMatchObject({ outcome: 'status', state: 'SERVICE_FAIT' });
    // and Valmont's SI cannot touch the lycée's invoice
    drop(inbox, 'si-valmont', 'pas-le-sien.xml', siStatusFlow('SI-X', [{ supplierId: SUPPLIER, buyerSiret: '19494032600011', idStatut: '06', idFacture: 'A-2026-0007', dateFacture: '2026-11-05', commentaire: 'x' }]));
    const x = newest(await runOnce(inbox, config), 'si-valmont/pas-le-sien.xml');
    expect(x.findings.map((f) => f.rule)).toEqual(['CPRO-STATUT-EMETTEUR']);
  });
});

describe('suspended invoices past their deadline', () => {
  it('are exposed once the configured number of days has passed', async () => {
    const inbox = tempDir('cf-inbox-');
    const out = tempDir('cf-out-');
    const config = bundledConfig(out);
    drop(inbox, 'op-alpha', 'f.xml', PAPETERIE);
    await runOnce(inbox, config);
    drop(inbox, 'si-valmont', 's.xml', siStatusFlow('SI-0100', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'F-2026-0101', commentaire: 'Pièce manquante' }]));
    await runOnce(inbox, config);
    const store = new LifecycleStore(path.join(config.paths.state, 'invoices'));
    const now = new Date();
    expect(await overdueSuspensions(store, now, config.lifecycle.suspendedDeadlineDays, config.timezone)).toEqual([]);
    const later = new Date(now.getTime() + (config.lifecycle.suspendedDeadlineDays + 1) * 86_400_000);
    const overdue = await overdueSuspensions(store, later, config.lifecycle.suspendedDeadlineDays, config.timezone);
    expect(overdue.map((o) => [o.record.number, o.record.state, o.days])).toEqual([['F-2026-0101', 'SUSPENDUE', config.lifecycle.suspendedDeadlineDays + 1]]);
  });
});
