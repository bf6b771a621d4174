/**
 * The names the pivot rules give a value in their messages (CPRO-PIVOT-REQUIS, -DECIMAL, -DATE,
 * CPRO-MONTANT-FORMAT, CPRO-NOMBRE-FORMAT): since the twenty-ninth performance round a name is
 * made only for a finding, from its label and its group's rank ("line 2 charge 1 amount",
 * "Ligne[2]/Quantite (BT-129)"); these are the names the rules gave before, value by value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Invoice } from '../../src/model/invoice';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { FIXTURES_INBOX } from '../helpers/run';

async function ubl(): Promise<Invoice> {
  const flux = await parseFlux(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
  if (!('invoices' in flux) || !flux.invoices) throw new Error('the fixture is no invoice');
  return flux.invoices[0];
}

/** The messages of `rule` for the invoice, in order. */
function messages(inv: Invoice, rule: string): string[] {
  // the Chorus Pro rules run with an installation's context (no recipient needed here)
  return validateInvoice({ invoice: inv, chorus: { recipients: [], limits: { maxAttachmentBytes: 10485759, maxInvoiceBytes: 125829120 } } }, 'chorus')
    .filter((f) => f.rule === rule)
    .map((f) => f.message);
}

describe('the names of values in the pivot rules\' messages', () => {
  it('amounts, rates and quantities that are no decimal: each named by its group and rank (CPRO-PIVOT-DECIMAL)', async () => {
    const inv = await ubl();
    expect(inv.lines.length).toBeGreaterThanOrEqual(1);
    const line = inv.lines[inv.lines.length - 1];
    const n = inv.lines.length;
    inv.allowanceCharges = [{ isCharge: false, amount: '1' }, { isCharge: true, amount: '2', baseAmount: 'x1' }];
    line.allowanceCharges = [{ isCharge: true, amount: 'x2' }, { isCharge: false, percent: 'x3', vatRate: 'x4' }];
    line.price.gross = 'x5';
    inv.vatBreakdown[0].rate = 'x6';
    inv.totals.rounding = 'x7';
    expect(messages(inv, 'CPRO-PIVOT-DECIMAL')).toEqual([
      'The Rounding amount (BT-114) "x7" is not a decimal number (digits, one optional point, optional sign).',
      'The document level charge 2 base amount "x1" is not a decimal number (digits, one optional point, optional sign).',
      'The VAT breakdown 1 rate (BT-119) "x6" is not a decimal number (digits, one optional point, optional sign).',
      `The line ${n} gross price (BT-148) "x5" is not a decimal number (digits, one optional point, optional sign).`,
      `The line ${n} charge 1 amount "x2" is not a decimal number (digits, one optional point, optional sign).`,
      `The line ${n} allowance 2 percentage "x3" is not a decimal number (digits, one optional point, optional sign).`,
      `The line ${n} allowance 2 VAT rate "x4" is not a decimal number (digits, one optional point, optional sign).`,
    ]);
  });

  it('dates that are no calendar date: periods and preceding invoices by rank (CPRO-PIVOT-DATE)', async () => {
    const inv = await ubl();
    const n = inv.lines.length;
    inv.invoicingPeriod = { start: '2026-13-01' };
    inv.precedingInvoices = [{ number: 'A' }, { number: 'B', issueDate: '2026-02-30' }];
    inv.lines[n - 1].period = { end: '2026-04-31' };
    expect(messages(inv, 'CPRO-PIVOT-DATE')).toEqual([
      'The Invoicing period (BG-14) start date "2026-13-01" is not a calendar date (YYYY-MM-DD; in CII, format 102: YYYYMMDD).',
      'The Preceding invoice 2 issue date (BT-26) "2026-02-30" is not a calendar date (YYYY-MM-DD; in CII, format 102: YYYYMMDD).',
      `The line ${n} period (BG-26) end date "2026-04-31" is not a calendar date (YYYY-MM-DD; in CII, format 102: YYYYMMDD).`,
    ]);
  });

  it('values the pivot requires, blank: by rank (CPRO-PIVOT-REQUIS)', async () => {
    const inv = await ubl();
    const n = inv.lines.length;
    inv.vatBreakdown[0].taxAmount = ' ';
    inv.lines[n - 1].quantity = '';
    expect(messages(inv, 'CPRO-PIVOT-REQUIS')).toEqual([
      'The CPPFacturePivot requires the VAT breakdown 1 tax amount; it is missing or empty.',
      `The CPPFacturePivot requires the line ${n} quantity; it is missing or empty.`,
    ]);
  });

  it('amounts and numbers the pivot cannot carry: named as the pivot names them (CPRO-MONTANT-FORMAT, CPRO-NOMBRE-FORMAT)', async () => {
    const inv = await ubl();
    const n = inv.lines.length;
    inv.vatBreakdown[0].taxAmount = '1.1234567';
    inv.lines[n - 1].netAmount = '12345678901234567890';
    inv.vatBreakdown[0].rate = '20.00000000000000000000';
    inv.lines[n - 1].quantity = '1.00000000000000000000';
    expect(messages(inv, 'CPRO-MONTANT-FORMAT')).toEqual([
      'TVA[1]/MontantTVA (BT-117) = "1.1234567": the pivot takes amounts of at most 19 digits with at most 6 decimals.',
      `Ligne[${n}]/MontantHT (BT-131) = "12345678901234567890": the pivot takes amounts of at most 19 digits with at most 6 decimals.`,
    ]);
    expect(messages(inv, 'CPRO-NOMBRE-FORMAT')).toEqual([
      'TVA[1]/Taux (BT-119) = "20.00000000000000000000" has 22 digits: the pivot takes numbers of at most 19 digits, as its amounts.',
      `Ligne[${n}]/Quantite (BT-129) = "1.00000000000000000000" has 21 digits: the pivot takes numbers of at most 19 digits, as its amounts.`,
    ]);
  });
});
