/**
 * A suspension's age is counted in calendar days where the installation is, not in blocks of
 * 24 hours: across the change to summer time a suspension of 1 March 23:30 (Paris) was 29 days
 * old on 31 March and reported a day late, one of 1 October 00:30 30 days old on 30 October.
 */
import path from 'node:path';
import { overdueSuspensions } from '../../src/lifecycle/overdue';
import type { LifecycleRecord } from '../../src/lifecycle/record';
import { LifecycleStore } from '../../src/lifecycle/store';
import { daysBetween } from '../../src/reconcile/day';
import { tempDir } from '../helpers/run';

function suspended(number: string, suspendedAt: string): LifecycleRecord {
  return { key: `S|${number}|2026`, supplierId: 'S', number, idCpro: `ID-${number}`, state: 'SUSPENDUE', partner: 'op-alpha', deposits: [], history: [], outputs: [], suspendedAt } as LifecycleRecord;
}

it('counts calendar days, a day of 23 or 25 hours as one', () => {
  expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
  expect(daysBetween('2026-10-01', '2026-10-31')).toBe(30);
  expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
});

it('reports a suspension on the day its deadline falls in the installation’s time zone, summer time or not', async () => {
  const store = new LifecycleStore(path.join(tempDir('cf-overdue-'), 'invoices'));
  const cases = [
    ['B-001', '2026-03-01T22:30:00.000Z'], // 1 March 23:30 in Paris
    ['B-002', '2026-09-30T22:30:00.000Z'], // 1 October 00:30 in Paris
  ] as const;
  for (const [n, at] of cases) await store.update('S', n, async () => ({ records: [suspended(n, at)], result: undefined }));
  const on = async (isoNoonParis: string) => (await overdueSuspensions(store, new Date(isoNoonParis), 30, 'Europe/Paris')).map((o) => [o.record.number, o.days]);
  expect(await on('2026-03-30T10:00:00Z')).toEqual([]);
  expect(await on('2026-03-31T10:00:00Z')).toEqual([['B-001', 30]]); // was not reported before 1 April
  expect(await on('2026-10-30T11:00:00Z')).toEqual([['B-001', 243]]); // B-002 29 days on 30 October (it said 30)
  expect(await on('2026-10-31T11:00:00Z')).toEqual([['B-001', 244], ['B-002', 30]]);
});
