/**
 * The figures of the report, on a day built by real runs with a known mix: 2026-10-25, the
 * autumn change in Europe/Paris (25 hours, 02:00–03:00 twice). Invoices in euros and in US
 * dollars, credit notes (381) accepted and suspended, a refused file, a multi-invoice pivot
 * partly accepted, a suspended credit note the operator then rejects (`chorus-flux reject`).
 * The JSON, the CSV and the HTML must agree with each other and with what was dropped.
 */
import Big from 'big.js';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rejectSuspended } from '../../src/lifecycle/operator-reject';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { parseCsv } from '../../src/reconcile/report-csv';
import type { ReconcileReport } from '../../src/reconcile/types';
import { createDeps } from '../../src/runner/deps';
import { fixedClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { tempDir } from '../helpers/run';
import { batch, dayConfig, drop, dropFixture, lyceeWithoutEngagement, papeterie } from './day-builder';

const DAY = '2026-10-25';
const AFTER = fixedClock('2026-10-27T03:00:00Z');

/** The papeterie invoice (302.00 HT, 340.65 TTC) in US dollars. */
function inDollars(number: string): string {
  return papeterie(number).replace(/currencyID="EUR"/g, 'currencyID="USD"').replace('<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>', '<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>');
}

let report: ReconcileReport;
let csv: Record<string, string>[];
let html: string;
let suspendedIdCpro: string;

beforeAll(async () => {
  const root = tempDir('cf-figures-');
  const out = path.join(root, 'out');
  mkdirSync(out, { recursive: true });
  const config = dayConfig(root, out);

  // 02:30 summer time (00:30Z): an invoice in euros, a credit note in euros, an invoice in dollars
  const a = path.join(root, 'inbox-a');
  drop(a, 'op-alpha', 'eur.xml', papeterie('F-2026-0901'), '2026-10-25T00:10:00Z');
  dropFixture(a, 'op-alpha/avoir-e1-lycee.xml', '2026-10-25T00:10:00Z');
  drop(a, 'op-alpha', 'usd.xml', inDollars('F-2026-0902'), '2026-10-25T00:10:00Z');
  const sa = await batch(config, a, 'node-a', '2026-10-25T00:30:00Z');
  expect(sa.results.map((r) => [r.file, r.outcome]).sort()).toEqual([['op-alpha/avoir-e1-lycee.xml', 'accepted'], ['op-alpha/eur.xml', 'accepted'], ['op-alpha/usd.xml', 'accepted']]);

  // 02:30 winter time (01:30Z), the same wall-clock hour again: a credit note suspended, a
  // refused file, a pivot of three invoices (one refused)
  const b = path.join(root, 'inbox-b');
  drop(b, 'op-alpha', 'avoir-suspendu.xml', lyceeWithoutEngagement('A-2026-0099'), '2026-10-25T01:10:00Z');
  dropFixture(b, 'op-alpha/destinataire-inconnu.xml', '2026-10-25T01:10:00Z');
  dropFixture(b, 'op-beta/pivot-laposte-3-factures.xml', '2026-10-25T01:10:00Z');
  const sb = await batch(config, b, 'node-b', '2026-10-25T01:30:00Z');
  const susp = sb.results.find((r) => r.file === 'op-alpha/avoir-suspendu.xml')!;
  expect(susp.outcome).toBe('suspended');
  expect(sb.results.find((r) => r.file === 'op-beta/pivot-laposte-3-factures.xml')!.outcome).toBe('partial');
  suspendedIdCpro = susp.invoices[0].idCpro!;

  // 14:00 (13:00Z): the operator rejects the suspended credit note
  const deps = createDeps(config, { logger: createLogger({ level: 'silent' }), clock: fixedClock('2026-10-25T13:00:00Z'), journalWriterId: 'operator' });
  try {
    expect((await rejectSuspended(deps, suspendedIdCpro, 'Engagement jamais fourni')).result).toBe('rejected');
  } finally {
    await deps.journal.close();
  }

  const r = await reconcileDay({ config, date: DAY, clock: AFTER });
  expect(r.error).toBeUndefined();
  report = r.report!;
  const rows = parseCsv(readFileSync(r.files!.csv, 'utf8'));
  csv = rows.slice(1).map((x) => Object.fromEntries(rows[0].map((h, k) => [h, x[k]])));
  html = readFileSync(r.files!.html, 'utf8');
}, 120_000);

it('subtracts credit notes and sums each currency apart, in JSON, CSV and HTML alike', () => {
  const t = report.totals.amounts;
  const eurIn = t.in.byCurrency.find((c) => c.currency === 'EUR')!;
  const usdIn = t.in.byCurrency.find((c) => c.currency === 'USD')!;
  expect(usdIn).toEqual({ currency: 'USD', invoices: 1, ht: '302.00', ttc: '340.65' });
  expect(t.in.ht).toBe(eurIn.ht);
  expect(t.in.ttc).toBe(eurIn.ttc);
  expect(t.in.currency).toBe('EUR');
  expect(t.in.creditNotes).toBe(2);
  expect(eurIn.creditNotes).toBe(2);

  // the truth from the CSV rows (one per invoice), signed by their type code, per currency
  const sums = new Map<string, { ht: Big; ttc: Big; n: number }>();
  for (const row of csv) {
    if (!row.invoice_index || row.file_outcome === 'status-applied') continue;
    const cur = row.currency || 'EUR';
    const s = sums.get(cur) ?? { ht: new Big(0), ttc: new Big(0), n: 0 };
    const sign = row.type_code === '381' ? -1 : 1;
    s.ht = s.ht.plus(new Big(row.montant_ht || 0).times(sign));
    s.ttc = s.ttc.plus(new Big(row.montant_ttc || 0).times(sign));
    s.n++;
    sums.set(cur, s);
  }
  expect([...sums.keys()].sort()).toEqual(['EUR', 'USD']);
  expect({ ht: eurIn.ht, ttc: eurIn.ttc, n: eurIn.invoices }).toEqual({ ht: sums.get('EUR')!.ht.toFixed(2), ttc: sums.get('EUR')!.ttc.toFixed(2), n: sums.get('EUR')!.n });
  expect(t.in.invoices).toBe(sums.get('EUR')!.n + 1);
  // the credit note accepted and the dollar invoice are out; the suspended credit note is not
  const eurOut = t.out.byCurrency.find((c) => c.currency === 'EUR')!;
  expect(eurOut.creditNotes).toBe(1);
  expect(t.out.byCurrency.find((c) => c.currency === 'USD')).toEqual({ currency: 'USD', invoices: 1, ht: '302.00', ttc: '340.65' });

  // per recipient: the lycée's two credit notes are −36.00 HT, −43.20 TTC in, −18.00 / −21.60 out
  const lyc = report.byRecipient.find((x) => x.recepteurId === 'LYCJM01')!;
  expect([lyc.amounts.in.ht, lyc.amounts.in.ttc, lyc.amounts.out.ht, lyc.amounts.out.ttc]).toEqual(['-36.00', '-43.20', '-18.00', '-21.60']);
  // the recipients' euro sums add up to the total
  expect(report.byRecipient.reduce((s, r) => s.plus(r.amounts.in.ttc), new Big(0)).toFixed(2)).toBe(t.in.ttc);

  // the HTML shows the euro figure and the dollar one apart, never one sum of both
  expect(html).toContain(`<div class="n">${eurIn.ttc.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f').replace('-', '−')}</div><div class="l">TTC in (EUR)</div>`);
  expect(html).toContain('<div class="n">340.65</div><div class="l">TTC in (USD)</div>');
  expect(html).toContain('<div class="sub">USD 340.65</div>');
});

it('counts the day of 25 hours by its real hours: the two 02:00 apart, in JSON, CSV and HTML', () => {
  expect(report.hours).toHaveLength(25);
  const twice = report.hours.filter((h) => h.hour === 2);
  expect(twice.map((h) => [h.start, h.utcOffset])).toEqual([['2026-10-25T00:00:00.000Z', '+02:00'], ['2026-10-25T01:00:00.000Z', '+01:00']]);
  const total = (h: ReconcileReport['hours'][number]) => Object.values(h.files).reduce((s, v) => s + v, 0);
  // node-a's three files at 02:30 summer time, node-b's three at 02:30 winter time
  expect(twice.map(total)).toEqual([3, 3]);
  expect(twice.map((h) => h.files.accepted)).toEqual([3, 0]);
  expect(twice[1].files).toMatchObject({ suspended: 1, refused: 1, partial: 1 });
  expect(report.hours.reduce((s, h) => s + total(h), 0)).toBe(report.totals.files.files);
  expect(report.hours.reduce((s, h) => s + h.invoices, 0)).toBe(report.totals.invoices.invoices);
  // the CSV's received_at instants fall in those hours
  const received = new Set(csv.map((r) => r.received_at));
  expect([...received].sort()).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
  // the chart: 25 bars' slots, each 02:00 told by its offset
  expect(html).toContain('02:00 (UTC+02:00) — 3 accepted');
  expect(html).toContain('02:00 (UTC+01:00) — 1 partial');
});

it('counts the invoices the operator rejected, by partner and recipient, not only in a note', () => {
  expect(report.totals.invoices.rejectedByOperator).toBe(1);
  expect(report.byPartner.find((p) => p.partner === 'op-alpha')!.invoices.rejectedByOperator).toBe(1);
  expect(report.byPartner.find((p) => p.partner === 'op-beta')!.invoices.rejectedByOperator).toBe(0);
  expect(report.byRecipient.find((r) => r.recepteurId === 'LYCJM01')!.invoices.rejectedByOperator).toBe(1);
  // still named, and its status flows checked as outputs of the day
  expect(report.notes.join(' ')).toContain(`IdCPRO ${suspendedIdCpro}`);
  expect(report.outputs.byKind).toMatchObject({ cdar: expect.any(Number), statut: expect.any(Number) });
  // the suspended deposit stays counted as such: the rejection is not a second deposit
  expect(report.totals.invoices).toMatchObject({ suspended: 1, refused: 2 });
  expect(html).toMatch(/<tr><td>rejected by the operator<\/td><td class="num zero">·<\/td><td class="num">1<\/td><\/tr>/);
});

it('counts as checked only the outputs it checked: not those of the next day it only accounts for', async () => {
  // a credit note suspended on 2026-03-10, rejected by the operator the next day: that day's
  // status flows belong to the next day's report, and are not checked by this one
  const root = tempDir('cf-figures-next-');
  const out = path.join(root, 'out');
  mkdirSync(out, { recursive: true });
  const config = dayConfig(root, out);
  const inbox = path.join(root, 'inbox');
  drop(inbox, 'op-alpha', 'avoir-suspendu.xml', lyceeWithoutEngagement('A-2026-0098'), '2026-03-10T08:00:00Z');
  const s = await batch(config, inbox, 'node-a', '2026-03-10T08:30:00Z');
  const deps = createDeps(config, { logger: createLogger({ level: 'silent' }), clock: fixedClock('2026-03-11T09:00:00Z'), journalWriterId: 'operator' });
  try {
    expect((await rejectSuspended(deps, s.results[0].invoices[0].idCpro!, 'Engagement jamais fourni')).result).toBe('rejected');
  } finally {
    await deps.journal.close();
  }
  const r = await reconcileDay({ config, date: '2026-03-10', clock: fixedClock('2026-03-12T03:00:00Z'), write: false });
  const o = r.report!.outputs;
  // the suspension's own outputs: the archived original, the SUSPENDU status flow and its CDAR
  expect(o.checked).toBe(Object.values(o.byKind).reduce((a, b) => a + b, 0));
  expect(o.checked).toBe(s.results[0].outputs.length);
  expect(r.report!.totals.invoices.rejectedByOperator).toBe(0);
}, 60_000);

it('adds up: the partners make the total files, the recipients the total invoices and each currency, the CSV the same', () => {
  for (const k of Object.keys(report.totals.files) as (keyof ReconcileReport['totals']['files'])[]) {
    expect([k, report.byPartner.reduce((s, p) => s + p.files[k], 0)]).toEqual([k, report.totals.files[k]]);
  }
  for (const k of Object.keys(report.totals.invoices) as (keyof ReconcileReport['totals']['invoices'])[]) {
    expect([k, report.byPartner.reduce((s, p) => s + p.invoices[k], 0)]).toEqual([k, report.totals.invoices[k]]);
    expect([k, report.byRecipient.reduce((s, r) => s + r.invoices[k], 0)]).toEqual([k, report.totals.invoices[k]]);
  }
  for (const side of ['in', 'out'] as const) {
    for (const c of report.totals.amounts[side].byCurrency) {
      const parts = report.byRecipient.flatMap((r) => r.amounts[side].byCurrency.filter((x) => x.currency === c.currency));
      expect([c.currency, parts.reduce((s, x) => s.plus(x.ttc), new Big(0)).toFixed(2), parts.reduce((s, x) => s + x.invoices, 0)]).toEqual([c.currency, c.ttc, c.invoices]);
    }
  }
  // one CSV row per invoice deposited, one per file without invoices; the files' outcomes as counted
  const perFile = new Map(csv.map((r) => [r.file_sha256, r.file_outcome]));
  expect(perFile.size).toBe(report.totals.files.files);
  const outcomes = [...perFile.values()].reduce<Record<string, number>>((m, o) => ({ ...m, [o]: (m[o] ?? 0) + 1 }), {});
  expect(outcomes).toEqual({ accepted: report.totals.files.accepted, partial: report.totals.files.partial, refused: report.totals.files.refused, suspended: report.totals.files.suspended });
  expect(csv.filter((r) => r.invoice_index).length).toBe(report.totals.invoices.invoices);
});
