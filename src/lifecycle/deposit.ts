/**
 * What a deposit of an invoice means given what is known of it — pure.
 *   unknown invoice                → new (or suspend when only completable defects)
 *   same file and position again   → the decision already taken (replay after a crash)
 *   SUSPENDUE                      → complete (Renvoi Complétée), or still-suspended
 *   A_RECYCLER                     → recycle (Renvoi Recyclée)
 *   anything else                  → duplicate (DOUBLON)
 */
import type { Deposit, DepositDecision, LifecycleRecord } from './record';
import { REDEPOSIT } from './states';

export interface DepositRequest {
  sha256: string;
  index: number;
  /** the invoice has fatal findings that the supplier can complete (and no other fatal finding) */
  completable: boolean;
}

export interface DepositOutcome {
  decision: DepositDecision;
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  /** true when this is the replay of a deposit already decided */
  replay: boolean;
}

export function decideDeposit(record: LifecycleRecord | undefined, req: DepositRequest): DepositOutcome {
  const previous: Deposit | undefined = record?.deposits.find((d) => d.sha256 === req.sha256 && d.index === req.index);
  if (previous) return { decision: previous.decision, renvoi: previous.renvoi, replay: true };
  if (!record) return req.completable ? { decision: 'suspend', replay: false } : { decision: 'new', renvoi: 'Non', replay: false };
  const renvoi = REDEPOSIT[record.state];
  if (renvoi === 'Complétée') return req.completable ? { decision: 'still-suspended', replay: false } : { decision: 'complete', renvoi, replay: false };
  if (renvoi === 'Recyclée') return req.completable ? { decision: 'suspend', replay: false } : { decision: 'recycle', renvoi, replay: false };
  return { decision: 'duplicate', replay: false };
}
