/**
 * An inbound pivot as its sender wrote it, found by an independent check:
 * - V1_20 types TypePJ as xs:integer: "1" is its invoice document. Read as "not 01", the
 *   invoice PDF went out as a complementary document (02), re-typed and renamed;
 * - the 96 (or 93) answering a pivot named the file, not the pivot's IdFlx, which is the id its
 *   sender knows it by ("Identifiant chez le producteur du flux");
 * - a deposited pivot's own IdCPRO, replaced by ours, was kept nowhere: trace could not find it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { traceCommand } from '../../src/cli/commands/trace';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles, validateStrings } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PIVOT = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');

describe('an inbound pivot', () => {
  const root = tempDir('cf-inbound-pivot-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const run = (name: string, xml: string) => runFileOnce(root, config, 'op-beta', name, xml);

  it('V1_20 with TypePJ written as an integer: its invoice document stays TypePJ 01', async () => {
    const v120 = PIVOT.replace('Version="V1_22"', 'Version="V1_20"').replace(/<TypePJ>01<\/TypePJ>/g, '<TypePJ>1</TypePJ>').replace(/LP-2026-/g, 'LP-V120-');
    expect(validateStrings(corpus('schemas/chorus/CPPFacturePivot_V1_20.xsd'), [v120])[0].errors).toEqual([]);
    const r = await run('v120.xml', v120);
    expect(r.outcome).toBe('partial'); // one of its invoices has an unknown recipient, as in the fixture
    const pivots = r.outputs.filter((o) => o.kind === 'pivot').map((o) => path.join(out, o.path));
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((v) => v.errors)).toEqual([]);
    const count = (expr: string) => pivots.reduce((n, p) => n + Number(xpath(p, `count(${expr})`)), 0);
    const theirs = "//*[local-name()='PJ'][not(*[local-name()='CategoriePJ']='DUPLICATA_FACTUR-X')]";
    expect([count(theirs), count(`${theirs}[*[local-name()='TypePJ']='01']`)]).toEqual([2, 2]);
    // kept as deposited: not re-typed as a complementary document with an original name
    expect(count(`${theirs}/*[local-name()='NomPJOrigine']`)).toBe(0);
  });

  // found by an audit: a TypePJ outside 01 | 02 (the V2_02 XSD's enumeration) was silently re-typed
  // as a complementary document (02, "Document annexe", a NomPJOrigine added): an invoice PDF
  // written "03" went out as an annex, where every other value a pivot carries over is refused
  it('refuses an invoice whose TypePJ is neither 01 nor 02, saying which PJ, and emits the others', async () => {
    const bad = PIVOT.replace(/LP-2026-/g, 'LP-TPJ-').replace('<TypePJ>01</TypePJ>', '<TypePJ>03</TypePJ>');
    const r = await run('typepj.xml', bad);
    expect(r.invoices[0]).toMatchObject({ number: 'LP-TPJ-558812', outcome: 'refused' });
    const f = (r.invoices[0].findings ?? []).filter((x) => x.severity === 'fatal');
    expect(f.map((x) => [x.rule, x.path, x.message])).toEqual([
      ['CPRO-PIVOT-CODE', '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire[1]/PJ[1]/TypePJ', 'The PJ 1 TypePJ is not a value the CPPFacturePivot allows (01 invoice document, 02 complementary): "03".'],
    ]);
    const pivots = r.outputs.filter((o) => o.kind === 'pivot').map((o) => path.join(out, o.path));
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((v) => v.errors)).toEqual([]);
    expect(pivots.map((p) => readFileSync(p, 'utf8')).join('')).not.toContain('LP-TPJ-558812');
  });

  // found by an audit: an invoice without lines whose PJ were all complementary (02) went out,
  // the finance system receiving its totals alone — every AIFE sample, with lines or not, has its 01
  it('refuses an invoice that has neither lines nor its invoice document (TypePJ 01 with a content or an IdUnique)', async () => {
    const noLines = (xml: string) => xml.replace(/<Lignes>[^]*?<\/Lignes>/, '');
    const edits = [
      (u: string) => noLines(u).replace('<TypePJ>01</TypePJ>', '<TypePJ>02</TypePJ>'), // its PDF typed 02
      (u: string) => noLines(u).replace(/<Contenu>[^<]*<\/Contenu>/, ''), // a 01 with neither content nor IdUnique
      noLines, // its 01 kept
    ];
    let k = 0;
    const xml = PIVOT.replace(/<CPPFacturePivotUnitaire [^]*?<\/CPPFacturePivotUnitaire>/g, (u) => edits[k++](u));
    expect(k).toBe(3);
    const r = await run('sans-facture.xml', xml.replace(/LP-2026-/g, 'LP-SF-'));
    const fatal = (k: number) => (r.invoices[k].findings ?? []).filter((x) => x.severity === 'fatal').map((x) => [x.rule, x.path]);
    expect(r.invoices.map((i) => i.outcome)).toEqual(['refused', 'refused', expect.any(String)]);
    for (const k of [0, 1]) expect(fatal(k)).toEqual([['CPRO-PJ-FACTURE-ABSENTE', `/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire[${k + 1}]/PJ`]]);
    expect(fatal(2).map(([rule]) => rule)).not.toContain('CPRO-PJ-FACTURE-ABSENTE');
    expect(r.invoices[0].findings![0].message).toBe('The invoice has neither lines nor its invoice document (a PJ with TypePJ 01 and its Contenu or IdUnique): the finance system would receive its totals alone. Send the invoice PDF as TypePJ 01.');
  });

  it('is answered by its IdFlx in the 96 that says which of its invoices were refused', async () => {
    const r = await run('laposte.xml', PIVOT);
    expect(r.outcome).toBe('partial');
    const answer = r.outputs.filter((o) => o.kind === 'statut').map((o) => path.join(out, o.path)).find((p) => readFileSync(p, 'utf8').includes('<IdStatut>96</IdStatut>'));
    expect(answer).toBeDefined();
    expect(xpath(answer!, "string(//*[local-name()='CPPFluxStatutUnitaire']//*[local-name()='IdFlux'])")).toBe('LPO2026110800017');
    // the path of a finding says which invoice of the flow it is about
    const refused = r.invoices.findIndex((i) => i.outcome === 'refused');
    expect(refused).toBeGreaterThanOrEqual(0);
    const paths = (r.invoices[refused].findings ?? []).map((f) => f.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).toMatch(new RegExp(`^/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire\\[${refused + 1}\\]/`));
  });

  it('keeps the IdCPRO it was deposited with in the journal, where trace finds it', async () => {
    const withId = PIVOT.replace('Version="V1_22"', 'Version="V2_02"').replace(/LP-2026-/g, 'LP-IDC-').replace(/(<DonneesFacture>\s*<Id>[^<]*<\/Id>)/, '$1<IdCPRO>987654322</IdCPRO>');
    expect(withId).toContain('<IdCPRO>987654322</IdCPRO>');
    const r = await run('avec-idcpro.xml', withId);
    const first = r.invoices.find((i) => i.sourceIdCpro !== undefined);
    expect(first).toMatchObject({ sourceIdCpro: '987654322', idCpro: expect.not.stringMatching(/^987654322$/) });
    const lines: string[] = [];
    expect(await traceCommand('987654322', { out }, (x) => lines.push(x))).toBe(0);
    expect(lines.join('')).toMatch(/\(deposited with IdCPRO 987654322\)/);
  });

  it("warns when the routing table does not keep the CSMOE a deposited pivot names", async () => {
    const withCsmoe = PIVOT.replace(/LP-2026-/g, 'LP-CSM-').replace(/(<ParametreIndiv NumOrdre="0002">[^]*?<\/ParametreIndiv>)/, '$1<ParametreIndiv NumOrdre="0003"><Code>CSMOE</Code><Valeurparametre>MOE77</Valeurparametre></ParametreIndiv>');
    expect(withCsmoe).toContain('<Code>CSMOE</Code>');
    const r = await run('csmoe.xml', withCsmoe);
    const accepted = r.invoices.filter((i) => i.outcome === 'accepted');
    expect(accepted.length).toBeGreaterThan(0);
    for (const i of accepted) expect((i.findings ?? []).find((f) => f.rule === 'CPRO-PIVOT-CSMOE')?.message).toMatch(/names the MOE code service MOE77 \(CSMOE\); the routing table sends this invoice to \w+/);
  });
});
