/**
 * The official EN 16931 examples are valid: none gets a fatal finding (profile en16931), for
 * UBL and CII alike. (mutations-oracle.test.ts runs them through the official XSLT as controls.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { corpusFiles } from '../helpers/corpus';

async function fatal(file: string): Promise<string[]> {
  const flux = await parseFlux(readFileSync(file));
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  return flux.invoices.flatMap((inv) => validateInvoice({ invoice: inv }, 'en16931')).filter((f) => f.severity === 'fatal').map((f) => `${f.rule} at ${f.path ?? '?'}: ${f.message}`);
}

describe('official EN 16931 examples get no fatal finding', () => {
  const ubl = corpusFiles('en16931/ubl-examples');
  const cii = corpusFiles('en16931/cii-examples');

  it('reads the 18 UBL and 15 CII examples', () => {
    expect(ubl).toHaveLength(18);
    expect(cii).toHaveLength(15);
  });

  test.each(ubl.map((f) => [path.basename(f), f]))('UBL %s', async (_n, f) => {
    expect(await fatal(f)).toEqual([]);
  });

  test.each(cii.map((f) => [path.basename(f), f]))('CII %s', async (_n, f) => {
    expect(await fatal(f)).toEqual([]);
  });
});
