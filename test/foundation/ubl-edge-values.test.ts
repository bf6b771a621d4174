/**
 * Valid UBL values that reached the pivot wrongly, or had the invoice refused (found by an
 * audit of UBL → pivot fidelity; every input passes the UBL XSD and the EN 16931 schematron):
 * - an xs:date with a time zone (`2026-11-02+01:00`, `2026-12-02Z`) was refused
 *   CPRO-PIVOT-DATE: it names the same calendar day, which the pivot carries;
 * - a price printed with zeros past the sixth decimal (`4.50000000`) was refused
 *   CPRO-MONTANT-FORMAT, and a 7-decimal price per 1000 units refused although the pivot
 *   carries it divided and rounded: the check now judges what the pivot writes;
 * - an empty seller's item identifier wiped the item name out of ReferenceProduit;
 * - a CreditNote's project reference (BT-11, a document reference typed 50: a CreditNote has
 *   no cac:ProjectReference) was read as a supporting document.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pivotCadre } from '../../src/transform/chorus/cadre';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, resultOf, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const papeterie = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');

function variant(number: string, edits: [string | RegExp, string][]): string {
  let xml = papeterie.replace('<cbc:ID>F-2026-0101</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
  for (const [from, to] of edits) {
    const next = xml.replace(from, to);
    if (next === xml) throw new Error(`edit not applied: ${from}`);
    xml = next;
  }
  return xml;
}

/** The invoice of a UBL text and the findings of the pipeline's rules, against the bundled routing table. */
async function judged(xml: string) {
  const flux = await parseFlux(Buffer.from(xml));
  if (!('invoices' in flux)) throw new Error('not an invoice');
  const invoice = flux.invoices[0];
  const chorus = { recipients: bundledConfig(tempDir()).recipients, limits: { maxAttachmentBytes: 10485759, maxInvoiceBytes: 125829120 } };
  return { invoice, findings: validateInvoice({ invoice, chorus }, 'chorus') };
}

const CASES: Record<string, string> = {
  'dates-zoned.xml': variant('F-TZ-1', [
    ['<cbc:IssueDate>2026-11-02</cbc:IssueDate>', '<cbc:IssueDate>2026-11-02+01:00</cbc:IssueDate>'],
    ['<cbc:DueDate>2026-12-02</cbc:DueDate>', '<cbc:DueDate>2026-12-02Z</cbc:DueDate>'],
  ]),
  'price-zeros.xml': variant('F-PRIX-1', [['<cbc:PriceAmount currencyID="EUR">4.50</cbc:PriceAmount>', '<cbc:PriceAmount currencyID="EUR">4.50000000</cbc:PriceAmount>']]),
  'price-per-1000.xml': variant('F-PRIX-2', [
    ['<cbc:PriceAmount currencyID="EUR">4.50</cbc:PriceAmount>', '<cbc:PriceAmount currencyID="EUR">4500.0000001</cbc:PriceAmount><cbc:BaseQuantity unitCode="C62">1000</cbc:BaseQuantity>'],
  ]),
  'empty-seller-id.xml': variant('F-REF-1', [['<cbc:ID>PAP-A4-80</cbc:ID>', '<cbc:ID></cbc:ID>']]),
};

describe('valid UBL values, in the pivot', () => {
  const out = tempDir('cf-ubl-edge-');
  const inbox = path.join(out, 'inbox');
  const pivots: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    for (const [name, xml] of Object.entries(CASES)) writeFileSync(path.join(inbox, 'op-alpha', name), xml);
    const summary = await runOnce(inbox, bundledConfig(out));
    for (const name of Object.keys(CASES)) {
      const r = resultOf(summary, `op-alpha/${name}`);
      expect({ name, outcome: r.outcome, fatal: r.findings.filter((f) => f.severity === 'fatal') }).toEqual({ name, outcome: 'accepted', fatal: [] });
      pivots[name] = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    }
    expect(validateFiles(SCHEMAS.pivot, Object.values(pivots)).flatMap((v) => v.errors)).toEqual([]);
  }, 120_000);

  it('a zoned date is its calendar day', () => {
    expect(xpath(pivots['dates-zoned.xml'], 'string(//DonneesFacture/DateEmissionFacture)')).toBe('2026-11-02');
  });

  it('a price is judged as the pivot writes it', () => {
    expect(xpath(pivots['price-zeros.xml'], 'string(//Ligne[1]/PrixUnitaire)')).toBe('4.500000');
    expect(xpath(pivots['price-per-1000.xml'], 'string(//Ligne[1]/PrixUnitaire)')).toBe('4.5');
  });

  it('an empty seller item identifier leaves the item name', () => {
    expect(xpath(pivots['empty-seller-id.xml'], 'string(//Ligne[1]/ReferenceProduit)')).toBe('Ramettes papier A4 80 g');
  });
});

it("a CreditNote's document reference typed 50 is its project reference (BT-11), not an attachment", async () => {
  const avoir = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
  const xml = avoir.replace('<cac:AccountingSupplierParty>', '<cac:AdditionalDocumentReference><cbc:ID>CHANTIER-7</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>\n  <cac:AccountingSupplierParty>');
  expect(xml).not.toBe(avoir);
  const flux = await parseFlux(Buffer.from(xml));
  const inv = 'invoices' in flux ? flux.invoices[0] : undefined;
  expect(inv?.projectReference).toBe('CHANTIER-7');
  expect(inv?.attachments.map((a) => a.id)).not.toContain('CHANTIER-7');
});

it('a BT-23 that names no cadre is said (CPRO-CADRE) and goes out as A1; a lower-case one is read', async () => {
  const cases: [string, string, boolean][] = [
    ['A4', 'A4', false],
    ['a4', 'A4', false],
    ['urn:cpro:cadre:A5', 'A5', false],
    ['Cadre A4', 'A4', false],
    ['CADRE_A4', 'A4', false],
    ['cadre-A5', 'A5', false],
    ['DATA12', 'A1', true],
    ['FRA5', 'A1', true],
    ['A11A5', 'A1', true],
    ['A11', 'A1', true],
    ['A26', 'A1', true],
    ['urn:fdc:peppol.eu:2017:poacc:billing:01:1.0', 'A1', true],
  ];
  for (const [given, cadre, warned] of cases) {
    const { invoice, findings } = await judged(papeterie.replace('<cbc:ProfileID>A1</cbc:ProfileID>', `<cbc:ProfileID>${given}</cbc:ProfileID>`));
    const warning = findings.find((f) => f.rule === 'CPRO-CADRE');
    expect({ given, cadre: pivotCadre(invoice), warned: warning !== undefined, severity: warning?.severity ?? 'warning' }).toEqual({ given, cadre, warned, severity: 'warning' });
  }
});

it('a seller in Kosovo ("1A", in the official country list) is no refusal; an unknown code is', async () => {
  const countryOf = async (code: string) => {
    const xml = papeterie.replace(/(<cac:AccountingSupplierParty>[^]*?<cbc:IdentificationCode>)FR(<\/cbc:IdentificationCode>)/, `$1${code}$2`);
    expect(xml).not.toBe(papeterie);
    return (await judged(xml)).findings.filter((f) => f.rule === 'CPRO-PAYS').length;
  };
  expect(await countryOf('1A')).toBe(0);
  expect(await countryOf('DE')).toBe(0);
  expect(await countryOf('QQ')).toBe(1);
});
