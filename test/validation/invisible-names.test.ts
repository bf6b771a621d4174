/**
 * A party name made of invisible characters only (rules/pivot-conformance.ts, CPRO-PIVOT-NOM).
 * Found by an audit: a buyer name of U+FEFF alone passed BR-07 (the official rule tests
 * normalize-space(), which strips XML's white space only) and the invoice was accepted, its
 * pivot sent with an invisible Debiteur/Nom and no Factur-X ("missing BT-44"); U+200B alone
 * went out in both. Now refused, in UBL and CII alike, as an empty name is (BR-07).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS } from '../helpers/corpus';
import { facturXAttachments, facturXFailures, walk } from '../helpers/hostile';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

const read = (f: string) => readFileSync(path.join(FIXTURES_INBOX, f), 'utf8');
const UBL = read('op-alpha/facture-e1-papeterie.xml');
const CII = read('op-beta/facture-cii-hopital.xml');
const PIVOT = read('op-beta/pivot-laposte-3-factures.xml');

/** The fixture of `syntax` whose buyer name is `name`, for its partner. */
const withBuyer = (syntax: 'UBL' | 'CII', name: string): [string, string] =>
  syntax === 'UBL'
    ? ['op-alpha', UBL.replace('<cbc:RegistrationName>Commune de Valmont-sur-Loire<', `<cbc:RegistrationName>${name}<`)]
    : ['op-beta', CII.replace('<ram:Name>Centre hospitalier de Brévannes<', `<ram:Name>${name}<`)];

/** `xml` dropped for `partner` and run once with the bundled configuration: its result and the pivots sent. */
async function run(partner: string, xml: string) {
  const root = tempDir('cf-invisible-name-');
  mkdirSync(root, { recursive: true });
  const cfg = bundledConfig(path.join(root, 'out'));
  const r = await runFileOnce(root, cfg, partner, 'facture.xml', xml);
  return { r, root, cfg, pivots: walk(path.join(cfg.paths.out, 'pivot')) };
}

const BUYER_PATH = { UBL: '/Invoice/cac:AccountingCustomerParty/cac:Party', CII: '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty' };

describe('a party name made of invisible characters only', () => {
  for (const syntax of ['UBL', 'CII'] as const) {
    it(`${syntax}: a buyer name of U+FEFF, U+200B, U+00A0 or U+2060 U+00AD alone is refused, naming the characters (CPRO-PIVOT-NOM)`, async () => {
      for (const [name, codes] of [['\uFEFF', 'U+FEFF'], ['\u200B', 'U+200B'], ['\u00A0', 'U+00A0'], ['\u2060\u00AD', 'U+2060 U+00AD']]) {
        const [partner, xml] = withBuyer(syntax, name);
        expect(xml).toContain(`>${name}<`);
        const { r, pivots } = await run(partner, xml);
        expect(r.invoices.map((i) => i.outcome)).toEqual(['refused']);
        expect((r.invoices[0].findings ?? []).filter((f) => f.severity === 'fatal').map((f) => [f.rule, f.path, f.message])).toEqual([
          ['CPRO-PIVOT-NOM', BUYER_PATH[syntax], `The Buyer name (BT-44) is made of invisible characters only: the pivot and the Factur-X would show no name, which BR-07 requires. Write the name. Its characters: ${codes}.`],
        ]);
        expect(pivots).toEqual([]);
      }
    }, 60_000);

    it(`${syntax}: a name of XML white space is BR-07's alone; a name with a visible character around an invisible one goes out with its Factur-X`, async () => {
      const blank = await run(...withBuyer(syntax, '  '));
      expect((blank.r.invoices[0].findings ?? []).filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['BR-07']);
      const named = await run(...withBuyer(syntax, '\uFEFFCommune\u200B'));
      expect(named.r.invoices.map((i) => [i.outcome, (i.findings ?? []).map((f) => f.rule)])).toEqual([['accepted', []]]);
      expect(validateFiles(SCHEMAS.pivot, named.pivots).flatMap((v) => v.errors)).toEqual([]);
      const facturx = await facturXAttachments(named.pivots, path.join(named.root, 'factur-x'));
      expect([...facturx.values()].flatMap((d) => [...d.values()])).toHaveLength(1);
    }, 60_000);
  }

  it('UBL: a seller name of U+200B alone is refused too (U+FEFF alone already was, CPRO-PIVOT-REQUIS)', async () => {
    const { r, pivots } = await run('op-alpha', UBL.replace('<cbc:RegistrationName>Papeterie Lemoine SAS<', '<cbc:RegistrationName>\u200B<'));
    expect((r.invoices[0].findings ?? []).filter((f) => f.severity === 'fatal').map((f) => [f.rule, f.message])).toEqual([
      ['CPRO-PIVOT-NOM', 'The Seller name (BT-27) is made of invisible characters only: the pivot and the Factur-X would show no name, which BR-06 requires. Write the name. Its characters: U+200B.'],
    ]);
    expect(pivots).toEqual([]);
  });

  it("a pivot's Debiteur/Nom of U+200B alone (Nom is optional there) is taken: its Factur-X names the buyer from the routing table, as with no Nom", async () => {
    let k = 0;
    const xml = PIVOT.replace(/<Nom>[^<]*<\/Nom>/g, (m) => (k++ === 0 ? '<Nom>\u200B</Nom>' : m));
    const { r, root, cfg, pivots } = await run('op-beta', xml);
    const first = r.invoices[0];
    expect([first.outcome, (first.findings ?? []).map((f) => f.rule)]).toEqual(['accepted', []]);
    const facturx = await facturXAttachments(pivots, path.join(root, 'factur-x'));
    const names = [...facturx.values()].flatMap((d) => [...d.values()]).map((cii) => /<ram:BuyerTradeParty>\s*<ram:Name>([^<]*)<\/ram:Name>/.exec(cii)?.[1]);
    expect(names).toContain(cfg.recipients.find((c) => c.recepteurId === first.recepteurId)?.name);
    expect(names).not.toContain('\u200B');
    expect(facturXFailures(facturx, path.join(root, 'factur-x'))).toEqual([]);
  }, 60_000);
});
