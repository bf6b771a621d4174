/**
 * CII dates by their format code: 102 is YYYYMMDD, 203 (YYYYMMDDHHMM) names a day and is read
 * as that day; any other (610, a month) is no calendar date and is refused quoting what the
 * supplier wrote, in words that fit CII (the message said "YYYY-MM-DD", and quoted 20260231 as
 * "2026-02-31", a value nobody wrote).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { bundledConfig, FIXTURES_INBOX, tempDir } from '../helpers/run';

const hopital = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-cii-hopital.xml'), 'utf8');
const DUE = /<ram:DueDateDateTime>\s*<udt:DateTimeString format="102">20261227<\/udt:DateTimeString>/;

async function withDue(format: string, value: string) {
  const xml = hopital.replace(DUE, `<ram:DueDateDateTime>\n          <udt:DateTimeString format="${format}">${value}</udt:DateTimeString>`);
  expect(xml).toContain(`<udt:DateTimeString format="${format}">${value}</udt:DateTimeString>`);
  const flux = await parseFlux(Buffer.from(xml));
  if (!('invoices' in flux)) throw new Error('not an invoice');
  const invoice = flux.invoices[0];
  const chorus = { recipients: bundledConfig(tempDir()).recipients, limits: { maxAttachmentBytes: 10485759, maxInvoiceBytes: 125829120 } };
  const dates = validateInvoice({ invoice, chorus }, 'chorus').filter((f) => f.rule === 'CPRO-PIVOT-DATE');
  return { due: invoice.dueDate, dates: dates.map((f) => f.message) };
}

it('reads format 102 and 203 as their day', async () => {
  expect(await withDue('102', '20261227')).toEqual({ due: '2026-12-27', dates: [] });
  expect(await withDue('203', '202612271530')).toEqual({ due: '2026-12-27', dates: [] });
});

it('refuses another format, or a day that does not exist, quoting what was written', async () => {
  const month = await withDue('610', '202612');
  expect(month.dates).toEqual([expect.stringMatching(/"202612" is not a calendar date \(YYYY-MM-DD; in CII, format 102: YYYYMMDD\)\.$/)]);
  const feb31 = await withDue('102', '20260231');
  expect(feb31.dates).toEqual([expect.stringMatching(/"20260231" is not a calendar date/)]);
  // a 12-digit value is a 203's, not a 102's
  expect((await withDue('102', '202612271530')).dates).toHaveLength(1);
});
