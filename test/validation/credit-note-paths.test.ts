/**
 * A finding names the place in the file (DESIGN §5). On a UBL CreditNote the Chorus Pro rules
 * pointed at /CreditNote/cac:InvoiceLine[1] and /CreditNote/cbc:DueDate — an Invoice's names,
 * which no credit note has — and the date of a second preceding invoice at …/cbc:IssueDate[2].
 * Each path is now looked up in the file itself with libxml2's XPath (xmllint).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX } from '../helpers/run';
import { xpath } from '../helpers/xpath';
import { sub } from './support/mutations';

interface Report {
  findings: { rule: string; path?: string }[];
}

/** "/CreditNote/cac:CreditNoteLine[1]" → an XPath on local names, the same steps and indexes. */
function localPath(p: string): string {
  return p
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(?:[\w-]+:)?([\w-]+)(\[\d+\])?$/.exec(s);
      if (!m) throw new Error(`unexpected step ${s} in ${p}`);
      return `/*[local-name()='${m[1]}']${m[2] ?? ''}`;
    })
    .join('');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-cn-paths-'));
let creditNote = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
// a line amount the pivot cannot carry (CPRO-MONTANT-FORMAT), a due date that is no date and a
// second preceding invoice whose date is none (CPRO-PIVOT-DATE)
creditNote = sub(creditNote, '<cbc:LineExtensionAmount currencyID="EUR">18.00</cbc:LineExtensionAmount>\n    <cac:Item>', '<cbc:LineExtensionAmount currencyID="EUR">18.0000001</cbc:LineExtensionAmount>\n    <cac:Item>');
creditNote = sub(creditNote, '<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>', '<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>\n    <cbc:PaymentDueDate>2026-13-45</cbc:PaymentDueDate>');
creditNote = sub(
  creditNote,
  '</cac:BillingReference>',
  '</cac:BillingReference>\n  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>F-2026-0094</cbc:ID><cbc:IssueDate>2026-02-30</cbc:IssueDate></cac:InvoiceDocumentReference></cac:BillingReference>',
);
const FILE = path.join(dir, 'avoir.xml');
writeFileSync(FILE, creditNote);

it('every finding on a UBL credit note names an element the file has', async () => {
  const r = await cli(['validate', '--json', FILE]);
  expect(r.code).toBe(1);
  const [report] = JSON.parse(r.stdout) as Report[];
  const byRule = (rule: string) => report.findings.filter((f) => f.rule === rule).map((f) => f.path);
  expect(byRule('CPRO-MONTANT-FORMAT')).toEqual(['/CreditNote/cac:CreditNoteLine[1]']);
  expect(byRule('CPRO-PIVOT-DATE').sort()).toEqual(['/CreditNote/cac:BillingReference[2]/cac:InvoiceDocumentReference/cbc:IssueDate', '/CreditNote/cac:PaymentMeans/cbc:PaymentDueDate']);
  const paths = report.findings.map((f) => f.path).filter((p): p is string => p !== undefined);
  expect(paths.length).toBeGreaterThanOrEqual(4);
  for (const p of paths) expect([p, xpath(FILE, `count(${localPath(p)})`)]).toEqual([p, "1"]);
}, 60_000);
