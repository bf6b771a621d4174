/**
 * Suspended invoices past their deadline (`lifecycle.suspendedDeadlineDays`), for the
 * reconciliation and for operators: the supplier never completed them.
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

export async function overdueSuspensions(store: LifecycleStore, asOf: Date, deadlineDays: number, timeZone: string): Promise<OverdueSuspension[]> {
  const out: OverdueSuspension[] = [];
  for await (const r of store.all()) {
    if (r.state !== 'SUSPENDUE' || !r.suspendedAt) continue;
    const since = Date.parse(r.suspendedAt);
    if (Number.isNaN(since)) continue;
    const days = daysBetween(dayOf(new Date(since), timeZone), dayOf(asOf, timeZone));
    if (days >= deadlineDays) out.push({ record: r, suspendedAt: r.suspendedAt, days });
  }
  return out.sort((a, b) => a.suspendedAt.localeCompare(b.suspendedAt) || a.record.key.localeCompare(b.record.key));
}
