/**
 * A completion must reach the finance system that suspended the invoice (DESIGN.md §4): that SI
 * holds it SUSPENDUE and waits for its COMPLETEE. A completion naming another recipient would
 * send the COMPLETEE and the pivot (Renvoi Complétée) to a recipient that never had the invoice,
 * and, the invoice then being that recipient's, refuse every later status of the SI that
 * suspended it (CPRO-STATUT-EMETTEUR): suspended there for ever. Changing the recipient is what
 * recycling (04 A_RECYCLER) is for. An invoice chorus-flux itself suspended on deposit was never
 * sent: its completion may still name another recipient.
 */
import type { Recipient } from '../config/config';
import type { PipelineDeps } from '../runner/process-file';
import type { LifecycleRecord } from './record';
import { heldByPipeline, statusSenders } from './status-flows';

export const COMPLETION_RECIPIENT_RULE = 'CPRO-COMPLETION-DESTINATAIRE';

/**
 * Why this completion of `rec` cannot go to `recipient` by route `recepteurId`, or undefined when
 * it reaches the SI that suspended it: that SI (the partner of its 06) is among those that may
 * change the invoice's status once completed — the buyer's finance SI, or the MOE for a works
 * invoice routed to it, so going by the MOE or not does not count, only who is told.
 */
export function completionElsewhere(config: PipelineDeps['config'], rec: LifecycleRecord, recipient: Recipient, recepteurId: string): string | undefined {
  if (rec.state !== 'SUSPENDUE' || heldByPipeline(rec)) return undefined;
  const next = statusSenders(config, { ...rec, buyerSiret: recipient.siret, recepteurId });
  const suspender = [...(rec.statusEvents ?? [])].reverse().find((e) => e.changed && e.to === 'SUSPENDUE')?.partner;
  // records kept before the sender of a status was: any finance SI the invoice had will do
  const reached = suspender ? next.includes(suspender) : statusSenders(config, rec).some((p) => next.includes(p));
  if (reached) return undefined;
  const by = suspender ?? rec.recepteurId ?? '?';
  // at most 300 characters (a CPPStatut Commentaire): the number and the sender are cut to 30
  return `Invoice ${rec.number.slice(0, 30)} was suspended by the finance system ${by.slice(0, 30)} (recipient SIRET ${rec.buyerSiret ?? '?'}); this completion names another (SIRET ${recipient.siret}). Send it completed to the same recipient; to change it, that system must return it for recycling (04).`;
}
