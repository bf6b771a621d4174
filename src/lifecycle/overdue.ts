/**
 * Suspended invoices past their deadline (`lifecycle.suspendedDeadlineDays`): the supplier
 * never completed them. One rule for the nightly reconciliation (reconcile-day.ts) and for
 * listing them from the lifecycle store.
 */
import { daysBetween } from '../reconcile/day';
import { dayOf } from '../util/clock';
import type { LifecycleRecord } from './record';
import type { LifecycleStore } from './store';

export interface OverdueSuspension {
  record: LifecycleRecord;
  suspendedAt: string;
  /** calendar days (in the time zone given) from the suspension's day to `asOf`'s */
  days: number;
}

/**
 * How many calendar days (where the installation is: a suspension of 1 March 23:30 is 30 days
 * old on 31 March, summer time or not) an invoice has been SUSPENDUE at the end of `day`;
 * undefined when it is not suspended, its moment cannot be read, or is after `asOf`.
 */
export function suspensionAge(r: LifecycleRecord, day: string, asOf: Date, timeZone: string): number | undefined {
  if (r.state !== 'SUSPENDUE' || !r.suspendedAt) return undefined;
  const since = Date.parse(r.suspendedAt);
  if (Number.isNaN(since) || since > asOf.getTime()) return undefined;
  return daysBetween(dayOf(new Date(since), timeZone), day);
}

export async function overdueSuspensions(store: LifecycleStore, asOf: Date, deadlineDays: number, timeZone: string): Promise<OverdueSuspension[]> {
  const out: OverdueSuspension[] = [];
  const day = dayOf(asOf, timeZone);
  for await (const r of store.all()) {
    const days = suspensionAge(r, day, asOf, timeZone);
    if (days !== undefined && days >= deadlineDays) out.push({ record: r, suspendedAt: r.suspendedAt as string, days });
  }
  return out.sort((a, b) => a.suspendedAt.localeCompare(b.suspendedAt) || a.record.key.localeCompare(b.record.key));
}
