/**
 * What a deposit of an invoice means given what is known of it — pure.
 *   unknown invoice                → new (or suspend when only completable defects)
 *   same file and position again   → the decision already taken (replay after a crash),
 *                                    while that deposit is younger than the processed marks'
 *                                    retention; older, the same bytes are a new deposit
 *   SUSPENDUE                      → complete (Renvoi Complétée), or still-suspended
 *   A_RECYCLER                     → recycle (Renvoi Recyclée)
 *   anything else                  → duplicate (DOUBLON)
 */
import type { Deposit, DepositDecision, LifecycleRecord } from './record';
import { withinReplayWindow } from './replay-window';
import { REDEPOSIT } from './states';

export interface DepositRequest {
  sha256: string;
  index: number;
  /** the invoice has fatal findings that the supplier can complete (and no other fatal finding) */
  completable: boolean;
  /**
   * Now, and `retention.processedMarksDays`: a deposit of the same bytes older than that is not
   * a replay (replay-window.ts), so the same bytes dropped again once their mark is pruned do
   * not rewrite a pivot the finance SI took long ago. Without them, every earlier one is.
   */
  now?: Date;
  /**
   * The window, or how to know it: asked only when an earlier deposit of these bytes is met
   * (the runner's reads the prune horizon, a file: a new content, most files, never needs it).
   */
  replayWithinDays?: number | (() => number);
}

export interface DepositOutcome {
  decision: DepositDecision;
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  /** true when this is the replay of a deposit already decided */
  replay: boolean;
}

export function decideDeposit(record: LifecycleRecord | undefined, req: DepositRequest): DepositOutcome {
  // the latest deposit of these bytes: after an old one that is no longer a replay, the new one is
  const previous = lastDeposit(record, req);
  if (previous && isReplay(previous, req)) return { decision: previous.decision, renvoi: previous.renvoi, replay: true };
  if (!record) return req.completable ? { decision: 'suspend', replay: false } : { decision: 'new', renvoi: 'Non', replay: false };
  const renvoi = REDEPOSIT[record.state];
  // a recycled invoice whose corrected deposit was suspended: completed, it goes out as recycled
  if (renvoi === 'Complétée' && record.recyclePending) return req.completable ? { decision: 'still-suspended', replay: false } : { decision: 'recycle', renvoi: 'Recyclée', replay: false };
  if (renvoi === 'Complétée') return req.completable ? { decision: 'still-suspended', replay: false } : { decision: 'complete', renvoi, replay: false };
  if (renvoi === 'Recyclée') return req.completable ? { decision: 'suspend', replay: false } : { decision: 'recycle', renvoi, replay: false };
  return { decision: 'duplicate', replay: false };
}

function lastDeposit(record: LifecycleRecord | undefined, req: DepositRequest): Deposit | undefined {
  const deposits = record?.deposits ?? [];
  for (let i = deposits.length - 1; i >= 0; i--) if (deposits[i].sha256 === req.sha256 && deposits[i].index === req.index) return deposits[i];
  return undefined;
}

function isReplay(previous: Deposit, req: DepositRequest): boolean {
  const days = typeof req.replayWithinDays === 'function' ? req.replayWithinDays() : req.replayWithinDays;
  return withinReplayWindow(previous.at, req.now && days !== undefined ? { now: req.now, days } : undefined);
}

export interface DecisionContext {
  at: string;
  sha256: string;
  file: string;
  /** where the pivot goes (finance SI or MOE) */
  recepteurId: string;
  /** the recipient (its SIRET and name) and the depositor partner of this deposit: a corrected or completed invoice may change them */
  buyerSiret?: string;
  buyerName?: string;
  /** the seller's electronic address (BT-34) of this deposit, which its CDAR messages used */
  sellerAddress?: LifecycleRecord['sellerAddress'];
  partner?: string;
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
  // the address this deposit's CDAR messages went to: those made later from the record follow it
  if (decision !== 'duplicate') rec.sellerAddress = c.sellerAddress;
  switch (decision) {
    case 'suspend':
    case 'still-suspended':
      if (rec.state === 'A_RECYCLER') rec.recyclePending = true;
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
      // the recipient the pivot now goes to owns the invoice's statuses (a recycle fixes a wrong
      // routing), and the partner that sent this deposit hears of them
      if (c.buyerSiret) rec.buyerSiret = c.buyerSiret;
      if (c.buyerName) rec.buyerName = c.buyerName;
      if (c.partner) rec.partner = c.partner;
      rec.recyclePending = undefined;
      rec.suspendedAt = undefined;
      rec.suspendReason = undefined;
      rec.montantHT = c.montantHT;
      rec.montantTTC = c.montantTTC;
      return;
    case 'duplicate':
      return;
  }
}
