/**
 * What the official EN 16931 examples carry reaches the pivot as its finance system must read
 * it (found by an independent field-by-field comparison of inputs and pivots):
 * - a price given per BT-149 units ("15.24 per 12") is written per unit: PrixUnitaire ×
 *   Quantite was twelve times MontantHT;
 * - a payee (BT-59) is named without a credit transfer account (a direct debit): it was dropped;
 * - a supporting document given by its reference alone (BT-122) is no PJ: it was an empty
 *   octet-stream file named after the reference; one given by address (BT-124) keeps its
 *   address as IdUnique and takes the MIME type of the address's extension.
 */
import Big from 'big.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pivotUnitPrice } from '../../src/transform/chorus/pivot-amount';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { routedCii, routedUbl } from '../helpers/routed-examples';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const EXAMPLES: [string, 'ubl' | 'cii'][] = [
  ['ubl-tc434-example2.xml', 'ubl'],
  ['ubl-tc434-example5.xml', 'ubl'],
  ['ubl-tc434-example8.xml', 'ubl'],
  ['CII_example5.xml', 'cii'],
];

describe('the official examples, routed, in the pivot', () => {
  const out = tempDir('cf-fidelity-');
  const inbox = path.join(out, 'inbox');
  const pivotOf: Record<string, string> = {};
  const sourceOf: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    EXAMPLES.forEach(([name, syntax], k) => {
      const xml = readFileSync(corpus('en16931', syntax === 'ubl' ? 'ubl-examples' : 'cii-examples', name), 'utf8');
      sourceOf[name] = path.join(inbox, 'op-alpha', name);
      writeFileSync(sourceOf[name], syntax === 'ubl' ? routedUbl(xml, k) : routedCii(xml, k));
    });
    const summary = await runOnce(inbox, bundledConfig(out));
    expect(summary.failures).toEqual([]);
    for (const r of summary.results) {
      const name = path.basename(r.file);
      expect({ name, outcome: r.outcome, fatal: r.findings.filter((f) => f.severity === 'fatal') }).toEqual({ name, outcome: 'accepted', fatal: [] });
      pivotOf[name] = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    }
    expect(validateFiles(SCHEMAS.pivot, Object.values(pivotOf)).flatMap((v) => v.errors)).toEqual([]);
  }, 120_000);

  const line = (name: string, k: number, el: string) => xpath(pivotOf[name], `string((//*[local-name()='Ligne'])[${k}]/*[local-name()='${el}'])`);

  it('writes the price of one unit: BT-146 ÷ BT-149 (example 8: prices per 12)', () => {
    const src = sourceOf['ubl-tc434-example8.xml'];
    const n = Number(xpath(src, "count(//*[local-name()='InvoiceLine'])"));
    expect(n).toBe(10);
    let divided = 0;
    for (let k = 1; k <= n; k++) {
      const price = new Big(xpath(src, `string((//*[local-name()='InvoiceLine'])[${k}]/*[local-name()='Price']/*[local-name()='PriceAmount'])`));
      const baseText = xpath(src, `string((//*[local-name()='InvoiceLine'])[${k}]/*[local-name()='Price']/*[local-name()='BaseQuantity'])`);
      const base = new Big(baseText || '1');
      if (!base.eq(1)) divided++;
      expect(new Big(line('ubl-tc434-example8.xml', k, 'PrixUnitaire')).eq(price.div(base).round(6, 1))).toBe(true);
    }
    expect(divided).toBeGreaterThanOrEqual(3);
    // line 3: 15.24 per 12 kW, 132 kW, 167.64
    expect([line('ubl-tc434-example8.xml', 3, 'PrixUnitaire'), line('ubl-tc434-example8.xml', 3, 'Quantite'), line('ubl-tc434-example8.xml', 3, 'MontantHT')]).toEqual(['1.27', '132', '167.64']);
    expect(line('ubl-tc434-example8.xml', 5, 'PrixUnitaire')).toBe('36.75');
  });

  it('rounds a price that does not divide to the pivot\'s 6 decimals, and keeps one without a base quantity as written', () => {
    const l = (net: string, baseQuantity?: string) => pivotUnitPrice({ price: { net, baseQuantity } } as never);
    expect(l('10', '3')).toBe('3.333333');
    expect(l('20', '3')).toBe('6.666667');
    expect(l('-20', '3')).toBe('-6.666667');
    expect(l('15.240', '1')).toBe('15.240');
    expect(l('15.240')).toBe('15.240');
    expect(l('15.24', '0')).toBe('15.24');
    expect(l('15.24', 'x')).toBe('15.24');
  });

  it('names the payee of a direct debit (example 5: BT-59 without an account)', () => {
    const p = pivotOf['ubl-tc434-example5.xml'];
    expect(xpath(sourceOf['ubl-tc434-example5.xml'], "string(//*[local-name()='PaymentMeans']/*[local-name()='PaymentMeansCode'])")).toBe('49');
    expect(xpath(p, "string(//*[local-name()='ReferenceBancaire']/*[local-name()='RaisonSocialeEncaisseur'])")).toBe('Dagobert Duck');
    expect(xpath(p, "count(//*[local-name()='ReferenceBancaire']/*[local-name()='Compte'])")).toBe('0');
  });

  it('lists no PJ for a document given by its reference alone, and one for a document with content', () => {
    for (const [name, ref] of [['ubl-tc434-example5.xml', 'OBJ999'], ['ubl-tc434-example8.xml', '871694831000290806'], ['CII_example5.xml', 'Lot567']]) {
      expect({ name, refs: xpath(pivotOf[name], `count(//*[local-name()='PJ'][contains(*[local-name()='NomPJ'], '${ref}') or *[local-name()='IdUnique']='${ref}'])`) }).toEqual({ name, refs: '0' });
      expect({ name, empty: xpath(pivotOf[name], "count(//*[local-name()='PJ'][not(*[local-name()='Contenu']) and not(*[local-name()='IdUnique'])])") }).toEqual({ name, empty: '0' });
    }
    expect(xpath(pivotOf['ubl-tc434-example5.xml'], "count(//*[local-name()='PJ'][*[local-name()='NomPJ']='EHF.pdf'][*[local-name()='Contenu']])")).toBe('1');
  });

  it('lists a document given by address with its address and the MIME type of its extension (example 2)', () => {
    const p = pivotOf['ubl-tc434-example2.xml'];
    const pj = "//*[local-name()='PJ'][*[local-name()='IdUnique']='http://www.suppliersite.eu/sheet001.html']";
    expect(xpath(p, `count(${pj})`)).toBe('1');
    expect(xpath(p, `string(${pj}/*[local-name()='MimeTypePJ'])`)).toBe('text/html');
    expect(xpath(p, `string(${pj}/*[local-name()='NomPJ'])`)).toBe('sheet001.html');
  });
});
