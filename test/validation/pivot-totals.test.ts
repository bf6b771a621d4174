/**
 * A deposited pivot's amounts add up (rules/pivot-totals.ts). Found by an audit: an invoice of
 * a partner's pivot with MontantTTC 1111.00 where MontantHT 842.50 + MontantTVA 168.50 make
 * 1011.00 was accepted and forwarded: the EN 16931 sums (BR-CO-*) never run on a pivot.
 * The AIFE sample pivots are the oracle that the rules take what Chorus Pro writes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateFile } from '../../src/cli/commands/validate';
import { loadConfig } from '../../src/config/config';
import { corpusFiles, SCHEMAS } from '../helpers/corpus';
import { walk } from '../helpers/hostile';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PIVOT = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
const TOTALS = ['CPRO-PIVOT-TTC', 'CPRO-PIVOT-TTC-SANS-TVA', 'CPRO-PIVOT-BASE-HT', 'CPRO-PIVOT-TVA', 'CPRO-PIVOT-NET-A-PAYER', 'CPRO-PIVOT-LIGNES'];
const config = loadConfig(undefined);
const chorus = { recipients: config.recipients, limits: config.limits };
const dir = tempDir('cf-pivot-totals-');

/** The first invoice of the La Poste pivot edited by `edit`, judged as `chorus-flux validate` judges it: its findings of these rules. */
async function judged(name: string, edit: (unit: string) => string) {
  let k = 0;
  const xml = PIVOT.replace(/<CPPFacturePivotUnitaire [^]*?<\/CPPFacturePivotUnitaire>/g, (u) => (k++ === 0 ? edit(u) : u));
  expect(xml).not.toBe(PIVOT);
  const file = path.join(dir, name);
  writeFileSync(file, xml);
  const [first, ...others] = await validateFile(file, 'chorus', chorus);
  for (const r of others) expect(r.findings.filter((f) => TOTALS.includes(f.rule))).toEqual([]);
  return first.findings.filter((f) => TOTALS.includes(f.rule)).map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, message: f.message }));
}

describe('the sums of a deposited pivot', () => {
  it('hold for every AIFE sample pivot and the La Poste fixture: none of these rules fires', async () => {
    const files = [...corpusFiles('chorus-samples/pivot'), path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml')];
    expect(files.length).toBe(7);
    const reports = (await Promise.all(files.map((f) => validateFile(f, 'chorus', chorus)))).flat();
    expect(reports.length).toBe(12); // CPPFichierFormatPivot holds 4, the fixture 3
    expect(reports.flatMap((r) => r.findings.filter((f) => TOTALS.includes(f.rule)))).toEqual([]);
  });

  it('refuses MontantTTC that is not MontantHT + the TVA amounts, naming the values (CPRO-PIVOT-TTC)', async () => {
    const found = await judged('ttc.xml', (u) => u.replace('<MontantTTC>1011.00</MontantTTC>', '<MontantTTC>1111.00</MontantTTC>'));
    expect(found).toEqual([
      {
        rule: 'CPRO-PIVOT-TTC',
        severity: 'fatal',
        path: '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire/DonneesFacture/Montants/MontantTTC',
        message: 'MontantTTC 1111 is not MontantHT 842.5 + the TVA amounts 168.5 = 1011: the invoice does not add up. Correct MontantTTC, MontantHT or the TVA amounts.',
      },
    ]);
  });

  it('takes the same amounts written with other decimals (1011.000000 is 1011.00)', async () => {
    expect(await judged('decimales.xml', (u) => u.replace('<MontantTTC>1011.00</MontantTTC>', '<MontantTTC>1011.000000</MontantTTC>').replace('<MontantTVA>168.50</MontantTVA>', '<MontantTVA>168.5</MontantTVA>'))).toEqual([]);
  });

  it('takes sums equal to the cent (a TVA of more than two decimals, MontantTTC rounded to cents); a cent off is refused', async () => {
    const rounded = (ttc: string) => (u: string) =>
      u.replace('<MontantTVA>168.50</MontantTVA>', '<MontantTVA>168.504500</MontantTVA>').replace('<MontantTTC>1011.00</MontantTTC>', `<MontantTTC>${ttc}</MontantTTC>`).replace('<MontantNetAPayer>1011.00</MontantNetAPayer>', `<MontantNetAPayer>${ttc}</MontantNetAPayer>`);
    expect(await judged('au-centime.xml', rounded('1011.00'))).toEqual([]);
    expect(await judged('exact.xml', rounded('1011.004500'))).toEqual([]);
    expect((await judged('un-centime.xml', rounded('1011.02'))).map((f) => f.rule)).toEqual(['CPRO-PIVOT-TTC']);
  });

  it('refuses TVA bases that do not add up to MontantHT, and a MontantTVA that is not its base × rate (CPRO-PIVOT-BASE-HT, CPRO-PIVOT-TVA)', async () => {
    // the HT and TTC kept: the base of the rate moved, then its tax off by more than one unit
    const base = await judged('base.xml', (u) => u.replace('<BaseHt>842.50</BaseHt>', '<BaseHt>742.50</BaseHt>'));
    expect(base.map((f) => [f.rule, f.path, f.message])).toEqual([
      ['CPRO-PIVOT-BASE-HT', '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire/DonneesFacture/Montants/MontantHT', 'The TVA bases (BaseHt) add up to 742.5, not to MontantHT 842.5: some amount is taxed twice or not at all. Correct the BaseHt of each rate or MontantHT.'],
      ['CPRO-PIVOT-TVA', '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire/DonneesFacture/TVAs/TVA[1]/MontantTVA', 'TVA 1: MontantTVA 168.5 is not BaseHt 742.5 × Taux 20 % = 148.5 (within 1): the VAT of that rate is wrong. Correct MontantTVA, BaseHt or Taux.'],
    ]);
    // within one unit, as the official BR-CO-17: a tax rounded per line is taken
    const rounded = await judged('arrondi.xml', (u) => u.replace('<MontantTVA>168.50</MontantTVA>', '<MontantTVA>169.20</MontantTVA>').replace('<MontantTTC>1011.00</MontantTTC>', '<MontantTTC>1011.70</MontantTTC>').replace('<MontantNetAPayer>1011.00</MontantNetAPayer>', '<MontantNetAPayer>1011.70</MontantNetAPayer>'));
    expect(rounded).toEqual([]);
  });

  it('refuses MontantNetAPayer beyond MontantTTC; below it (an amount already paid) is taken (CPRO-PIVOT-NET-A-PAYER)', async () => {
    const over = await judged('nap.xml', (u) => u.replace('<MontantNetAPayer>1011.00</MontantNetAPayer>', '<MontantNetAPayer>10110.00</MontantNetAPayer>'));
    expect(over.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['CPRO-PIVOT-NET-A-PAYER', 'fatal', 'MontantNetAPayer 10110 goes beyond MontantTTC 1011: the finance system would pay more than the invoice. Correct MontantNetAPayer (MontantTTC less what was already paid).'],
    ]);
    expect(await judged('acompte.xml', (u) => u.replace('<MontantNetAPayer>1011.00</MontantNetAPayer>', '<MontantNetAPayer>511.00</MontantNetAPayer>'))).toEqual([]);
  });

  it('warns, without refusing, when the lines do not add up to MontantHT (the pivot has no place for a discount on the whole)', async () => {
    const found = await judged('lignes.xml', (u) => u.replace(/(<Ligne [^>]*>[^]*?<MontantHT>)842\.50</, '$1800.00<'));
    expect(found.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['CPRO-PIVOT-LIGNES', 'warning', "The lines' MontantHT add up to 800, not to MontantHT 842.5: unless the invoice has a discount or a charge on its whole, a line is missing or wrong."],
    ]);
  });

  // found by a later audit: the sums above need TVAs, which the XSD lets out; a pivot without
  // them whose MontantTTC is above MontantHT carried VAT that no rate explained, unflagged
  it('warns, without refusing, when a pivot without TVAs has MontantTTC ≠ MontantHT; TTC = HT (no VAT) is taken (CPRO-PIVOT-TTC-SANS-TVA)', async () => {
    const noTvas = (u: string) => u.replace(/<TVAs>[^]*?<\/TVAs>/, '');
    // the edited pivot is one the XSD takes: TVAs are optional, and may be empty
    const file = path.join(dir, 'sans-tvas-xsd.xml');
    let k = 0;
    writeFileSync(file, PIVOT.replace(/<CPPFacturePivotUnitaire [^]*?<\/CPPFacturePivotUnitaire>/g, (u) => (k++ === 0 ? noTvas(u) : u)));
    expect(validateFiles(SCHEMAS.pivot, [file]).flatMap((v) => v.errors)).toEqual([]);
    const expected = [
      {
        rule: 'CPRO-PIVOT-TTC-SANS-TVA',
        severity: 'warning',
        path: '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire/DonneesFacture/Montants/MontantTTC',
        message: 'MontantTTC 1011 is not MontantHT 842.5, but the invoice has no TVAs: its VAT of 168.5 is broken down by no rate. Add a TVA (Taux, BaseHt, MontantTVA) for each rate, or correct MontantTTC.',
      },
    ];
    expect(await judged('sans-tvas.xml', noTvas)).toEqual(expected);
    expect(await judged('tvas-vides.xml', (u) => u.replace(/<TVAs>[^]*?<\/TVAs>/, '<TVAs/>'))).toEqual(expected);
    // no VAT at all (TTC = HT, to the cent as the other sums): nothing to break down
    const untaxed = (ttc: string) => (u: string) => noTvas(u).replace('<MontantTTC>1011.00</MontantTTC>', `<MontantTTC>${ttc}</MontantTTC>`).replace('<MontantNetAPayer>1011.00</MontantNetAPayer>', `<MontantNetAPayer>${ttc}</MontantNetAPayer>`);
    expect(await judged('sans-tva.xml', untaxed('842.50'))).toEqual([]);
    expect(await judged('sans-tva-arrondi.xml', untaxed('842.504'))).toEqual([]);
    expect((await judged('sans-tva-centime.xml', untaxed('842.51'))).map((f) => [f.rule, f.severity])).toEqual([['CPRO-PIVOT-TTC-SANS-TVA', 'warning']]);
    // through `run`: sent, the warning on its report
    const root = tempDir('cf-pivot-sans-tvas-run-');
    const r = await runFileOnce(root, bundledConfig(path.join(root, 'out')), 'op-beta', 'sans-tvas.xml', readFileSync(file, 'utf8').replace(/LP-2026-/g, 'LP-STVA-'));
    expect(r.invoices.map((i) => [i.number, i.outcome, (i.findings ?? []).map((f) => f.rule)])).toEqual([
      ['LP-STVA-558812', 'accepted', ['CPRO-PIVOT-TTC-SANS-TVA']],
      ['LP-STVA-558813', 'accepted', []],
      ['LP-STVA-558814', 'refused', ['CPRO-DESTINATAIRE-INCONNU']],
    ]);
  });

  // found by the same audit: BR-CL-04 (the ISO 4217 list) never runs on a pivot either, and the
  // pivot rule checked three capital letters only
  it('refuses a Devise that is three capital letters but no ISO 4217 currency (CPRO-PIVOT-DEVISE)', async () => {
    const file = path.join(dir, 'devise.xml');
    writeFileSync(file, PIVOT.replace('<Devise>EUR</Devise>', '<Devise>XYZ</Devise>'));
    const [first, second] = await validateFile(file, 'chorus', chorus);
    expect(first.findings.filter((f) => f.rule === 'CPRO-PIVOT-DEVISE').map((f) => [f.severity, f.path, f.message])).toEqual([
      ['fatal', '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire/DonneesFacture/Devise', 'The invoice currency code "XYZ" is not an ISO 4217 currency code (three capital letters, e.g. EUR).'],
    ]);
    expect(second.findings.filter((f) => f.rule === 'CPRO-PIVOT-DEVISE')).toEqual([]);
  });

  it('refuses that invoice alone in a multi-invoice pivot: status 05 for it, 96 for the flow, the others emitted', async () => {
    const root = tempDir('cf-pivot-totals-run-');
    const cfg = bundledConfig(path.join(root, 'out'));
    const xml = PIVOT.replace(/LP-2026-/g, 'LP-TTC-').replace('<MontantTTC>1011.00</MontantTTC>', '<MontantTTC>1111.00</MontantTTC>');
    mkdirSync(root, { recursive: true });
    const r = await runFileOnce(root, cfg, 'op-beta', 'ttc.xml', xml);
    // the third has an unknown recipient, as in the fixture
    expect(r.invoices.map((i) => [i.number, i.outcome])).toEqual([['LP-TTC-558812', 'refused'], ['LP-TTC-558813', 'accepted'], ['LP-TTC-558814', 'refused']]);
    expect(r.outcome).toBe('partial');
    expect((r.invoices[0].findings ?? []).filter((f) => f.severity === 'fatal').map((f) => [f.rule, f.path])).toEqual([
      ['CPRO-PIVOT-TTC', '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire[1]/DonneesFacture/Montants/MontantTTC'],
    ]);
    const statuts = walk(path.join(cfg.paths.out, 'statut'));
    expect(statuts.some((f) => xpath(f, "string(//*[local-name()='CPPFluxStatutUnitaire']//*[local-name()='IdStatut'])") === '96')).toBe(true);
    const refusedHere = statuts.filter((f) => xpath(f, "count(//*[local-name()='CPPFactureStatutUnitaire'][.//*[local-name()='IdStatut']='05'][.//*[local-name()='IdFacture']='LP-TTC-558812'])") === '1');
    expect(refusedHere.length).toBe(1);
    expect(readFileSync(refusedHere[0], 'utf8')).toMatch(/CPRO-PIVOT-TTC|MontantTTC 1111/);
    const pivots = walk(path.join(cfg.paths.out, 'pivot'));
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((v) => v.errors)).toEqual([]);
    const sent = pivots.map((p) => readFileSync(p, 'utf8')).join('');
    expect(sent).toContain('LP-TTC-558813');
    expect(sent).not.toContain('LP-TTC-558812');
  });
});
