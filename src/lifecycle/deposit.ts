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

export interface DecisionContext {
  at: string;
  sha256: string;
  file: string;
  /** where the pivot goes (finance SI or MOE) */
  recepteurId: string;
  /** the completable defects, for a suspension */
  reason?: string;
  montantHT?: string;
  montantTTC?: string;
}

/**
 * Moves the record to the state the decision leads to — at decision time, in the same
 * locked write that records the deposit, so an invoice costs one lifecycle write. The
 * outputs follow; if the process dies before them, the same file processed again replays
 * this deposit and writes them (names and bytes are the same).
 */
export function applyDecision(rec: LifecycleRecord, decision: DepositDecision, renvoi: DepositOutcome['renvoi'], c: DecisionContext): void {
  const entry = { at: c.at, by: 'pipeline' as const, sha256: c.sha256, file: c.file };
  switch (decision) {
    case 'suspend':
    case 'still-suspended':
      if (rec.state !== 'SUSPENDUE') rec.history.push({ ...entry, state: 'SUSPENDUE', reason: c.reason });
      rec.state = 'SUSPENDUE';
      rec.suspendedAt ??= c.at;
      rec.suspendReason = c.reason;
      return;
    case 'new':
    case 'complete':
    case 'recycle':
      if (decision === 'complete') rec.history.push({ ...entry, state: 'COMPLETEE', by: 'supplier' });
      rec.history.push({ ...entry, state: 'MISE_A_DISPOSITION', reason: renvoi && renvoi !== 'Non' ? `Renvoi ${renvoi}` : undefined });
      rec.state = 'MISE_A_DISPOSITION';
      rec.renvoi = renvoi;
      rec.recepteurId = c.recepteurId;
      rec.suspendedAt = undefined;
      rec.suspendReason = undefined;
      rec.montantHT = c.montantHT;
      rec.montantTTC = c.montantTTC;
      return;
    case 'duplicate':
      return;
  }
}
