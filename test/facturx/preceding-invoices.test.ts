/**
 * A credit note for two invoices (BG-3 twice, EN 16931 allows it): the pivot has one
 * IdFactureOrigine and CII D16B one InvoiceReferencedDocument. The Factur-X attached to the
 * pivot carried both — a factur-x.xml outside the CII D16B schema, which chorus-flux itself
 * refused when that PDF came back (FLUX-SCHEMA) — and the second reference vanished from the
 * pivot without a word. Now: the first in both, and a warning names the others.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import { extractEmbeddedInvoice } from '../../src/transform/facturx/extract';
import { bundledConfig, FIXTURES_INBOX, listFiles, runFileOnce, tempDir } from '../helpers/run';
import { SCHEMAS } from '../helpers/corpus';
import { validateFiles, validateStrings } from '../helpers/xsd';
import { XSD } from './oracles';

const creditNote = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8').replace(
  '</cac:BillingReference>',
  '</cac:BillingReference>\n  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>F-2026-0094</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>',
);

it('a credit note for two invoices: the first goes out in the pivot and a D16B-valid Factur-X, the second is said', async () => {
  expect(creditNote.match(/<cac:BillingReference>/g)).toHaveLength(2);
  const root = tempDir('cf-preceding-');
  const config = bundledConfig(path.join(root, 'out'));
  const r = await runFileOnce(root, config, 'op-alpha', 'avoir-deux-factures.xml', creditNote);
  expect(r.outcome).toBe('accepted');
  const warning = r.findings.find((f) => f.rule === 'CPRO-FACTURE-ORIGINE-UNIQUE');
  expect(warning).toMatchObject({ severity: 'warning' });
  expect(warning?.message).toContain('"F-2026-0094"');

  const pivotFile = listFiles(config.paths.out).find((f) => f.startsWith('pivot/')) as string;
  const pivot = readFileSync(path.join(config.paths.out, pivotFile), 'utf8');
  expect(validateFiles(SCHEMAS.pivot, [path.join(config.paths.out, pivotFile)])[0].errors).toEqual([]);
  expect([...pivot.matchAll(/<IdFactureOrigine>([^<]*)</g)].map((m) => m[1])).toEqual(['F-2026-0093']);

  const b64 = /<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>[^<]*<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</.exec(pivot)?.[1];
  expect(b64).toBeDefined();
  const pdf = Buffer.from(b64 as string, 'base64');
  const xml = Buffer.from((await extractEmbeddedInvoice(pdf)).xml).toString('utf8');
  expect([...xml.matchAll(/<ram:IssuerAssignedID>([^<]*)<\/ram:IssuerAssignedID>\s*<ram:FormattedIssueDateTime>/g)].map((m) => m[1])).toEqual(['F-2026-0093']);
  expect(xml).not.toContain('F-2026-0094');
  // the pages, for a person, still name both (as the warning says)
  expect(spawnSync('pdftotext', ['-', '-'], { input: pdf, encoding: 'utf8' }).stdout).toMatch(/F-2026-0093[\s\S]*F-2026-0094/);
  // both oracles: the Factur-X profile schema and the CII D16B one the Factur-X is made of
  for (const xsd of [XSD['EN 16931'], XSD.D16B]) expect(validateStrings(xsd, [xml])[0].errors).toEqual([]);
  // and chorus-flux reads its own Factur-X back (it refused it: FLUX-SCHEMA)
  const back = await parseFlux(pdf);
  expect('invoices' in back && back.invoices[0].precedingInvoices.map((p) => p.number)).toEqual(['F-2026-0093']);
}, 120_000);

it('a credit note for one invoice says nothing more', async () => {
  const root = tempDir('cf-preceding-one-');
  const config = bundledConfig(path.join(root, 'out'));
  const r = await runFileOnce(root, config, 'op-alpha', 'avoir.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml')));
  expect(r.outcome).toBe('accepted');
  expect(r.findings.map((f) => f.rule)).not.toContain('CPRO-FACTURE-ORIGINE-UNIQUE');
}, 120_000);
