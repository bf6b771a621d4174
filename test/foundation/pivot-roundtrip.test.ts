/**
 * CPPFacturePivot input (corpus/chorus-samples/pivot, V1_22 and older FEN0036A shapes):
 * every file parses, its re-emission as V2_02 validates against the official XSD, and
 * parse → emit → parse keeps every invoice field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serializePivot } from '../../src/emit/pivot/serialize';
import { parseFlux, type ParsedInvoiceFlux } from '../../src/transform/parse/flux';
import { corpusFiles, SCHEMAS } from '../helpers/corpus';
import { validateStrings } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

async function parseInvoices(bytes: Buffer | string): Promise<ParsedInvoiceFlux> {
  const r = await parseFlux(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  if (r.kind === 'CPPStatut') throw new Error('status flow');
  return r;
}

const files = corpusFiles('chorus-samples/pivot');

describe('corpus pivots', () => {
  it('finds the six sample pivots', () => expect(files).toHaveLength(6));

  test.each(files.map((f) => [path.basename(f), f]))('%s: parse, emit V2_02 (valid XSD), parse again, same invoices', async (_n, file) => {
    const first = await parseInvoices(readFileSync(file));
    // as many invoices as the file holds (oracle: libxml2)
    expect(first.invoices).toHaveLength(Number(xpath(file, "count(//*[local-name()='CPPFacturePivotUnitaire'])")));
    const xml = serializePivot({ dtPrd: '2026-11-27', idFlx: 'CFXTEST', recepteur: { id: 'REC001' }, emetteur: { id: 'CFX001' }, invoices: first.invoices });
    const [res] = validateStrings(SCHEMAS.pivot, [xml]);
    expect(res.errors).toEqual([]);
    expect(res.valid).toBe(true);
    const second = await parseInvoices(xml);
    expect(second.invoices).toEqual(first.invoices);
    // amounts exactly as the source wrote them (no float drift): compare to the source text
    first.invoices.forEach((inv, k) => {
      const base = `(//*[local-name()='CPPFacturePivotUnitaire'])[${k + 1}]//*[local-name()='Montants']`;
      expect(inv.totals.taxExclusive).toBe(xpath(file, `string(${base}/*[local-name()='MontantHT'])`));
      expect(inv.totals.taxInclusive).toBe(xpath(file, `string(${base}/*[local-name()='MontantTTC'])`));
      expect(inv.totals.payable).toBe(xpath(file, `string(${base}/*[local-name()='MontantNetAPayer'])`));
    });
  });
});
