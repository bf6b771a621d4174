/**
 * Suspended invoices past their deadline (`lifecycle.suspendedDeadlineDays`), for the
 * reconciliation and for operators: the supplier never completed them.
 */
import type { LifecycleRecord } from './record';
import type { LifecycleStore } from './store';

export interface OverdueSuspension {
  record: LifecycleRecord;
  suspendedAt: string;
  /** whole days since the suspension at `asOf` */
  days: number;
}

export async function overdueSuspensions(store: LifecycleStore, asOf: Date, deadlineDays: number): Promise<OverdueSuspension[]> {
  const out: OverdueSuspension[] = [];
  for await (const r of store.all()) {
    if (r.state !== 'SUSPENDUE' || !r.suspendedAt) continue;
    const days = Math.floor((asOf.getTime() - Date.parse(r.suspendedAt)) / 86_400_000);
    if (days >= deadlineDays) out.push({ record: r, suspendedAt: r.suspendedAt, days });
  }
  return out.sort((a, b) => a.suspendedAt.localeCompare(b.suspendedAt) || a.record.key.localeCompare(b.record.key));
}
