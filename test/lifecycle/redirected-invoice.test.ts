/**
 * An invoice corrected or completed toward another recipient (a recycle exists because the
 * routing was wrong, DESIGN.md §4). Found by review:
 * - the lifecycle kept the first recipient: its finance SI could still reject the invoice it no
 *   longer had, the new one was refused as a stranger, and the statuses forwarded to the
 *   depositor named the old buyer;
 * - a recycled invoice whose corrected deposit was suspended came back as Complétée, with a
 *   COMPLETEE flow to a finance SI that had never seen it, instead of Recyclée;
 * - a DOUBLON told to another operator than the depositor gave away the invoice's IdCPRO and state.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, resultOf, runFilesOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const SUPPLIER = '99746507500015';
const VALMONT = '21787789300016';
const HOPITAL = '26330146700019';
const LYCEE = '19494032600011';

/** The papeterie invoice numbered `number`, addressed to `siret` with code service `service`; without its order reference when `engagement` is false. */
function invoiceTo(number: string, siret: string, service: string, engagement = true): string {
  let x = PAPETERIE.replace(/F-2026-0101/g, number).replace(new RegExp(VALMONT, 'g'), siret).replace('<cbc:BuyerReference>FINANCES</cbc:BuyerReference>', `<cbc:BuyerReference>${service}</cbc:BuyerReference>`);
  if (!engagement) x = x.replace(/<cac:OrderReference>[^]*?<\/cac:OrderReference>\s*/, '');
  return x;
}

const only = resultOf;

const v = (file: string, expr: string) => xpath(file, `string(${expr})`);

describe('an invoice recycled toward another recipient', () => {
  const root = tempDir('cf-redirected-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const run = (files: [string, string, string][]) => runFilesOnce(root, config, files);

  it('belongs to the new recipient: its finance SI changes its status, the old one cannot, the depositor hears of the new buyer', async () => {
    expect(only(await run([['op-alpha', 'f.xml', invoiceTo('F-RED-1', VALMONT, 'FINANCES')]]), 'op-alpha/f.xml').outcome).toBe('accepted');
    const recycle = await run([['si-valmont', 'recycler.xml', siStatusFlow('SI-R1', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '04', idFacture: 'F-RED-1', commentaire: 'Mauvais destinataire : centre hospitalier' }])]]);
    expect(only(recycle, 'si-valmont/recycler.xml').outcome).toBe('status-applied');
    const corrected = only(await run([['op-alpha', 'f-corrigee.xml', invoiceTo('F-RED-1', HOPITAL, 'DSI')]]), 'op-alpha/f-corrigee.xml');
    expect(corrected.invoices[0]).toMatchObject({ outcome: 'recycled', renvoi: 'Recyclée' });
    const pivot = path.join(out, corrected.outputs.find((o) => o.kind === 'pivot')?.path ?? '?');
    expect(pivot).toContain(`${path.sep}CHBREV01${path.sep}`);

    // the old recipient's SI no longer has it; the new one's does
    const statuses = await run([
      ['si-valmont', 'rejet.xml', siStatusFlow('SI-R2', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '05', idFacture: 'F-RED-1', commentaire: 'Rejet' }])],
      ['CHBREV01', 'service-fait.xml', siStatusFlow('SI-R3', [{ supplierId: SUPPLIER, buyerSiret: HOPITAL, idStatut: '07', idFacture: 'F-RED-1' }])],
    ]);
    const old = only(statuses, 'si-valmont/rejet.xml');
    expect([old.outcome, old.findings.map((f) => f.rule)]).toEqual(['refused', ['CPRO-STATUT-EMETTEUR']]);
    const now = only(statuses, 'CHBREV01/service-fait.xml');
    expect([now.outcome, now.invoices[0].state]).toEqual(['status-applied', 'SERVICE_FAIT']);
    // forwarded to the depositor, naming the buyer the invoice now has
    const forwarded = now.outputs.filter((o) => o.kind === 'statut' && o.path.startsWith('statut/op-alpha/')).map((o) => path.join(out, o.path));
    expect(forwarded).toHaveLength(1);
    expect(v(forwarded[0], '//CPPFactureStatutUnitaire/Debiteur/Identifiant')).toBe(HOPITAL);
    expect(validateFiles(SCHEMAS.statut, forwarded).flatMap((r) => r.errors)).toEqual([]);
  });

  it('suspended on its corrected deposit, then completed: it goes out as Recyclée, with no COMPLETEE to a finance SI that never had it', async () => {
    expect(only(await run([['op-alpha', 'g.xml', invoiceTo('F-RED-2', VALMONT, 'FINANCES')]]), 'op-alpha/g.xml').outcome).toBe('accepted');
    await run([['si-valmont', 'recycler-2.xml', siStatusFlow('SI-R4', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '04', idFacture: 'F-RED-2', commentaire: 'Destinataire : le lycée' }])]]);
    // toward the lycée, which requires an engagement number: the corrected deposit lacks it
    const suspended = only(await run([['op-alpha', 'g-corrigee.xml', invoiceTo('F-RED-2', LYCEE, 'FINANCES', false)]]), 'op-alpha/g-corrigee.xml');
    expect(suspended.invoices[0]).toMatchObject({ outcome: 'suspended' });
    // the SI that recycled it cannot reject it while its correction waits; told so truly: it had the invoice
    const rejected = only(await run([['si-valmont', 'rejet-2.xml', siStatusFlow('SI-R5', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '05', idFacture: 'F-RED-2', horodatage: '2026-11-21T10:00:00+01:00' }])]]), 'si-valmont/rejet-2.xml');
    const held = rejected.findings.find((f) => f.rule === 'CPRO-STATUT-NON-TRANSMISE')?.message ?? '';
    expect([held.includes('never sent'), held]).toEqual([false, expect.stringContaining('which its finance system asked to recycle, was suspended by chorus-flux and has not gone out again')]);
    const completed = only(await run([['op-alpha', 'g-complete.xml', invoiceTo('F-RED-2', LYCEE, 'FINANCES')]]), 'op-alpha/g-complete.xml');
    expect(completed.invoices[0]).toMatchObject({ outcome: 'recycled', renvoi: 'Recyclée' });
    const pivot = path.join(out, completed.outputs.find((o) => o.kind === 'pivot')?.path ?? '?');
    expect([v(pivot, '//Renvoi'), pivot.includes(`${path.sep}LYCJM01${path.sep}`)]).toEqual(['Recyclée', true]);
    expect(completed.outputs.filter((o) => o.kind === 'statut' && o.path.startsWith('statut/LYCJM01/'))).toEqual([]);
  });

  it('a DOUBLON told to another operator does not give away the invoice’s IdCPRO and state', async () => {
    // (not the same bytes: those would be a re-drop, CPRO-DOUBLON-FLUX)
    const dup = only(await run([['op-gamma', 'copie.xml', invoiceTo('F-RED-1', HOPITAL, 'DSI').replace('</Invoice>', '<!-- copie -->\n</Invoice>')]]), 'op-gamma/copie.xml');
    const message = dup.findings.find((f) => f.rule === 'CPRO-DOUBLON')?.message ?? '';
    expect(message).toBe(`DOUBLON: the invoice F-RED-1 of supplier ${SUPPLIER} (2026) is already known (deposited through another operator); it is refused as a duplicate.`);
    const same = only(await run([['op-alpha', 'copie.xml', invoiceTo('F-RED-1', HOPITAL, 'DSI').replace('</Invoice>', '<!-- renvoi -->\n</Invoice>')]]), 'op-alpha/copie.xml');
    expect(same.findings.find((f) => f.rule === 'CPRO-DOUBLON')?.message).toMatch(/is already known \(IdCPRO \d+, state SERVICE_FAIT\)/);
  });
});
