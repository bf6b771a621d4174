/**
 * A completion goes to the finance system that suspended the invoice (DESIGN.md §4). Found by
 * audit: Valmont's finance SI suspended (06) an invoice it had received; its supplier's
 * completion named the hospital: the COMPLETEE and the pivot (Renvoi Complétée) went to the
 * hospital, which never had the invoice, Valmont's SI was never told, and its later 05 was
 * refused as CPRO-STATUT-EMETTEUR — the invoice suspended there for ever. Changing the recipient
 * is what recycling (04) is for: such a completion is refused (CPRO-COMPLETION-DESTINATAIRE),
 * nothing recorded, and the right one still completes. An invoice chorus-flux suspended on
 * deposit was never sent: its completion may name another recipient (redirected-invoice.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundledConfigPath, configFromObject } from '../../src/config/config';
import { LifecycleStore } from '../../src/lifecycle/store';
import { checkCdar } from '../cdar/oracle';
import { SCHEMAS } from '../helpers/corpus';
import { FIXTURES_INBOX, listFiles, resultOf, runFilesOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const WORKS = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/decompte-travaux-a4.xml'), 'utf8');
const SUPPLIER = '99746507500015';
const WORKS_SUPPLIER = '95181909300018';
const VALMONT = '21787789300016';
const HOPITAL = '26330146700019';
const RULE = 'CPRO-COMPLETION-DESTINATAIRE';

/** The papeterie invoice numbered `number`, addressed to `siret` with code service `service`; `mark` makes other bytes. */
function invoiceTo(number: string, siret: string, service: string, mark = ''): string {
  return PAPETERIE.replace(/F-2026-0101/g, number)
    .replace(new RegExp(VALMONT, 'g'), siret)
    .replace('<cbc:BuyerReference>FINANCES</cbc:BuyerReference>', `<cbc:BuyerReference>${service}</cbc:BuyerReference>`)
    .replace('</Invoice>', `<!-- ${mark} -->\n</Invoice>`);
}

/** The works invoice numbered `number`, with code service `service` (TRAVAUX: routed to the MOE). */
function worksInvoice(number: string, service = 'TRAVAUX', mark = ''): string {
  return WORKS.replace(/TR-2026-0311/g, number).replace('<cbc:BuyerReference>TRAVAUX</cbc:BuyerReference>', `<cbc:BuyerReference>${service}</cbc:BuyerReference>`).replace('</Invoice>', `<!-- ${mark} -->\n</Invoice>`);
}

const v = (file: string, expr: string) => xpath(file, `string(${expr})`);

describe('a completion of an invoice a finance SI suspended', () => {
  const root = tempDir('cf-completion-recipient-');
  const out = path.join(root, 'out');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  // op-beta takes CPPStatut and CDAR: the refusal must reach it in both
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
  const lifecycle = new LifecycleStore(path.join(config.paths.state, 'invoices'));
  const run = (files: [string, string, string][]) => runFilesOnce(root, config, files);
  const outputsOf = (r: ReturnType<typeof resultOf>, prefix: string) => r.outputs.filter((o) => o.path.startsWith(prefix)).map((o) => path.join(out, o.path));

  it('is refused when it names another recipient: the SI that suspended it keeps it, and the right completion still goes to it', async () => {
    expect(resultOf(await run([['op-beta', 'f.xml', invoiceTo('F-CR-1', VALMONT, 'FINANCES')]]), 'op-beta/f.xml').outcome).toBe('accepted');
    const suspend = siStatusFlow('SI-CR1', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'F-CR-1', commentaire: 'Bon de livraison manquant' }]);
    expect(resultOf(await run([['si-valmont', 'suspendre.xml', suspend]]), 'si-valmont/suspendre.xml').invoices[0].state).toBe('SUSPENDUE');
    const before = listFiles(out).filter((f) => f.startsWith('pivot/') || f.startsWith('statut/CHBREV01') || f.startsWith('statut/si-valmont'));

    const wrong = resultOf(await run([['op-beta', 'f-hopital.xml', invoiceTo('F-CR-1', HOPITAL, 'DSI', 'BL joint')]]), 'op-beta/f-hopital.xml');
    expect([wrong.outcome, wrong.invoices[0].outcome, wrong.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)]).toEqual(['refused', 'refused', [RULE]]);
    const message = wrong.findings.find((f) => f.rule === RULE)?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(300);
    expect(message).toContain('suspended by the finance system si-valmont');
    expect(message).toContain(`SIRET ${HOPITAL}`);
    expect(message).toMatch(/recycling \(04\)/);
    // nothing went to the hospital nor to anyone else: no pivot, no COMPLETEE
    expect(listFiles(out).filter((f) => f.startsWith('pivot/') || f.startsWith('statut/CHBREV01') || f.startsWith('statut/si-valmont'))).toEqual(before);
    // the original in error/ with its reason; the depositor told by a 93 and a CDAR refusal
    const kept = wrong.outputs.find((o) => o.path.startsWith('error/') && !o.path.endsWith('.reason.json'));
    expect(JSON.parse(readFileSync(path.join(out, `${kept?.path}.reason.json`), 'utf8'))).toMatchObject({ outcome: 'refused', findings: [{ rule: RULE }] });
    const told = outputsOf(wrong, 'statut/op-beta/');
    expect(told).toHaveLength(1);
    expect([v(told[0], '//CPPFluxStatutUnitaire/DonneesStatut/IdStatut'), v(told[0], '//CPPFluxStatutUnitaire/DonneesStatut/Commentaire')]).toEqual(['93', message]);
    expect(validateFiles(SCHEMAS.statut, told).flatMap((r) => r.errors)).toEqual([]);
    const cdar = outputsOf(wrong, 'cdar/op-beta/');
    expect(cdar.map((f) => xpath(f, "string(//*[local-name()='ProcessConditionCode'])"))).toEqual(['213']);
    for (const r of checkCdar({}, { refus: cdar[0] }).values()) expect({ xsd: r.xsdErrors, fatal: r.fatal }).toEqual({ xsd: [], fatal: [] });
    const [rec] = await lifecycle.read(SUPPLIER, 'F-CR-1');
    expect([rec.state, rec.buyerSiret, rec.recepteurId]).toEqual(['SUSPENDUE', VALMONT, 'VALM01']);

    // the same mistake again is refused the same way, not as a DOUBLON
    const again = resultOf(await run([['op-beta', 'f-hopital-2.xml', invoiceTo('F-CR-1', HOPITAL, 'DSI', 'BL joint, encore')]]), 'op-beta/f-hopital-2.xml');
    expect(again.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual([RULE]);

    // completed toward Valmont: the COMPLETEE goes to the SI that suspended it, which may then go on
    const right = resultOf(await run([['op-beta', 'f-complete.xml', invoiceTo('F-CR-1', VALMONT, 'FINANCES', 'BL joint')]]), 'op-beta/f-complete.xml');
    expect(right.invoices[0]).toMatchObject({ outcome: 'completed', renvoi: 'Complétée', recepteurId: 'VALM01' });
    const completee = outputsOf(right, 'statut/si-valmont/');
    expect(completee.map((f) => v(f, '//CPPFactureStatutUnitaire/DonneesStatut/IdStatut'))).toEqual(['12']);
    expect(validateFiles(SCHEMAS.statut, completee).flatMap((r) => r.errors)).toEqual([]);
    const serviceFait = siStatusFlow('SI-CR2', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: 'F-CR-1', horodatage: '2026-11-21T10:00:00+01:00' }]);
    const applied = resultOf(await run([['si-valmont', 'service-fait.xml', serviceFait]]), 'si-valmont/service-fait.xml');
    expect([applied.outcome, applied.invoices[0].state]).toEqual(['status-applied', 'SERVICE_FAIT']);
  });

  it('routing by the MOE or not does not count, only whether the SI that suspended it is told', async () => {
    // the commune's finance SI suspends a works invoice routed to the MOE: completed to the MOE, it still has it
    expect(resultOf(await run([['op-alpha', 'tr.xml', worksInvoice('TR-CR-1')]]), 'op-alpha/tr.xml').outcome).toBe('accepted');
    await run([['si-valmont', 'suspendre-tr.xml', siStatusFlow('SI-CR3', [{ supplierId: WORKS_SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'TR-CR-1' }])]]);
    const toMoe = resultOf(await run([['op-alpha', 'tr-complete.xml', worksInvoice('TR-CR-1', 'TRAVAUX', 'PV joint')]]), 'op-alpha/tr-complete.xml');
    expect(toMoe.invoices[0]).toMatchObject({ outcome: 'completed', recepteurId: 'MOEMOR01' });

    // the MOE suspends one: completed toward the commune directly (another code service), the MOE would never hear of it
    expect(resultOf(await run([['op-alpha', 'tr2.xml', worksInvoice('TR-CR-2')]]), 'op-alpha/tr2.xml').outcome).toBe('accepted');
    await run([['MOEMOR01', 'suspendre-tr2.xml', siStatusFlow('MOE-CR4', [{ supplierId: WORKS_SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'TR-CR-2' }])]]);
    const bypass = resultOf(await run([['op-alpha', 'tr2-finances.xml', worksInvoice('TR-CR-2', 'FINANCES', 'PV joint')]]), 'op-alpha/tr2-finances.xml');
    expect(bypass.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual([RULE]);
    expect(bypass.findings.find((f) => f.rule === RULE)?.message).toContain('the finance system MOEMOR01');
    const toTheMoe = resultOf(await run([['op-alpha', 'tr2-complete.xml', worksInvoice('TR-CR-2', 'TRAVAUX', 'PV joint')]]), 'op-alpha/tr2-complete.xml');
    expect(toTheMoe.invoices[0]).toMatchObject({ outcome: 'completed', recepteurId: 'MOEMOR01' });
    expect(outputsOf(toTheMoe, 'statut/MOEMOR01/')).toHaveLength(1);
  });
});
