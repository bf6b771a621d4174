/**
 * Fournisseur/TypeIdentifiant of a supplier without SIRET: the reform's ISO 6523 schemes on
 * its BT-30 / BT-29 say which identifier it is (0223 EU VAT, 0227 outside the EU, 0228 RIDET,
 * 0229 TAHITI). A New Caledonian supplier identified by its RIDET went out as 3 "hors UE" with
 * its VAT-like id as Identifiant (its country is outside the EU), a Polynesian one's TAHITI the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { ln, xpath } from '../helpers/xpath';

const BASE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');

/** The fixture's supplier moved to `country`, its SIRET replaced by `legal` under `scheme`, its VAT id by `vat`. */
function seller(number: string, country: string, scheme: string, legal: string, vat: string): string {
  const start = BASE.indexOf('<cac:AccountingSupplierParty>');
  const end = BASE.indexOf('</cac:AccountingSupplierParty>');
  const party = BASE.slice(start, end)
    .replace('<cbc:EndpointID schemeID="0009">99746507500015</cbc:EndpointID>', '<cbc:EndpointID schemeID="0088">1234567890128</cbc:EndpointID>')
    .replace('<cbc:IdentificationCode>FR</cbc:IdentificationCode>', `<cbc:IdentificationCode>${country}</cbc:IdentificationCode>`)
    .replace('FR42997465075', vat)
    .replace('<cbc:CompanyID schemeID="0009">99746507500015</cbc:CompanyID>', `<cbc:CompanyID schemeID="${scheme}">${legal}</cbc:CompanyID>`);
  return (BASE.slice(0, start) + party + BASE.slice(end)).replace(/F-2026-0101/g, number);
}

describe('the supplier identifier type of a supplier without SIRET', () => {
  const root = tempDir('cf-supplier-type-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  let step = 0;
  // op-beta is told of accepted invoices, as CPPStatut and CDAR
  const run = async (xml: string) => {
    const r = await runFileOnce(root, config, 'op-beta', `f${++step}.xml`, xml);
    const files = (kind: string) => r.outputs.filter((o) => o.kind === kind).map((o) => path.join(out, o.path));
    return { r, pivot: files('pivot'), statut: files('statut'), cdar: files('cdar') };
  };

  it.each([
    ['New Caledonia, RIDET', 'NC', '0228', '1234567001', 'NC1234567', '4'],
    ['French Polynesia, TAHITI', 'PF', '0229', 'A12345', 'PFA12345', '5'],
    ['outside the EU, country code + name', 'US', '0227', 'USACME CORPORATION', 'US123456789', '3'],
    ['EU outside France, VAT number', 'DE', '0223', 'DE123456789', 'DE123456789', '2'],
  ])('%s: TypeIdentifiant and Identifiant from its scheme, in the pivot and the status flows', async (_, country, scheme, legal, vat, type) => {
    const { r, pivot, statut, cdar } = await run(seller(`SUP-${country}`, country, scheme, legal, vat));
    expect(r.outcome).toBe('accepted');
    expect(validateFiles(SCHEMAS.pivot, pivot).flatMap((v) => v.errors)).toEqual([]);
    expect(xpath(pivot[0], `string(${ln('Fournisseur/TypeIdentifiant')})`)).toBe(type);
    expect(xpath(pivot[0], `string(${ln('Fournisseur/Identifiant')})`)).toBe(legal);
    expect(validateFiles(SCHEMAS.statut, statut).flatMap((v) => v.errors)).toEqual([]);
    expect(xpath(statut[0], `string(${ln('Fournisseur/TypeIdentifiant')})`)).toBe(type);
    expect(xpath(statut[0], `string(${ln('Fournisseur/Identifiant')})`)).toBe(legal);
    // the CDAR names the seller by the same identifier and scheme
    const message = readFileSync(cdar[0], 'utf8');
    expect(message).toContain(`schemeID="${scheme}">${legal}<`);
  });
});
