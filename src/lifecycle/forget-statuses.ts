/**
 * The status lines of a finance SI's CPPStatut set aside (`chorus-flux set-aside`) after an
 * attempt at it was cut short. The lifecycle takes each line as it judges it (status-flows.ts),
 * before the flows forwarding them are written: an attempt that died between left the invoice
 * SUSPENDUE (MANDATEE…) though its supplier was never told. Set aside, the flow is refused
 * whole (93) and its SI sends it again; the same status again then changed nothing and went
 * nowhere, so the supplier never heard of the suspension it must answer. The lines such an
 * attempt applied, with nothing forwarded and nothing happened to the invoice since, are undone;
 * an invoice whose forwarded flow was written, or that moved since, is kept and said.
 */
import type { LifecycleStore } from './store';
import type { LifecycleRecord } from './record';
import { FLUX_KINDS } from '../model/flux';
import { parseFlux } from '../transform/parse/flux';
import { parseStatut } from '../transform/parse/statut';

export interface ForgottenStatuses {
  /** invoices whose statuses from this flow were undone: back to the state they had before it */
  undone: { number: string; idCpro: string; state: string }[];
  /** invoices its forwarded flow was written for, or moved since: kept */
  kept: { number: string; idCpro: string; state: string }[];
}

/** Whether what `sha` did to the record is its last change, with nothing forwarded of it. */
function undoable(rec: LifecycleRecord, sha: string): boolean {
  if (rec.outputs.some((o) => o.source === sha)) return false;
  const first = rec.history.findIndex((h) => h.sha256 === sha);
  const events = rec.statusEvents ?? [];
  const firstEvent = events.findIndex((e) => e.sha256 === sha);
  const since = events[firstEvent].at;
  return (first < 0 || rec.history.slice(first).every((h) => h.sha256 === sha)) && events.slice(firstEvent).every((e) => e.sha256 === sha) && rec.deposits.every((d) => d.at <= since);
}

/** The record as it was before the lines of `sha`: its state, history and suspension. */
function undo(rec: LifecycleRecord, sha: string): void {
  const events = rec.statusEvents ?? [];
  rec.state = (events.find((e) => e.sha256 === sha) as { from: LifecycleRecord['state'] }).from;
  rec.history = rec.history.filter((h) => h.sha256 !== sha);
  rec.statusEvents = events.filter((e) => e.sha256 !== sha);
  // a status applied cleared the suspension it ended, or set its own: the last one left says it
  const suspension = rec.state === 'SUSPENDUE' ? [...rec.history].reverse().find((h) => h.state === 'SUSPENDUE') : undefined;
  rec.suspendedAt = suspension?.at;
  rec.suspendReason = suspension?.reason;
}

/** Undoes the status lines content `sha` (read from `bytes`) applied without forwarding them. */
export async function forgetStatusesOf(lifecycle: LifecycleStore, sha: string, bytes: Buffer, maxEmbeddedBytes: number): Promise<ForgottenStatuses> {
  const out: ForgottenStatuses = { undone: [], kept: [] };
  const parsed = await parseFlux(bytes, { maxEmbeddedBytes }).catch(() => undefined);
  if (!parsed || parsed.kind !== FLUX_KINDS.STATUT) return out;
  const seen = new Set<string>();
  for (const line of parseStatut(parsed.xml.node).invoices) {
    const { idFacture, supplier } = line;
    if (!idFacture || !supplier.id || seen.has(`${supplier.id}|${idFacture}`)) continue;
    seen.add(`${supplier.id}|${idFacture}`);
    await lifecycle.update(supplier.id, idFacture, (records) => {
      let changed = false;
      for (const rec of records) {
        if (!rec.statusEvents?.some((e) => e.sha256 === sha)) continue;
        if (!undoable(rec, sha)) {
          out.kept.push({ number: rec.number, idCpro: rec.idCpro, state: rec.state });
          continue;
        }
        undo(rec, sha);
        out.undone.push({ number: rec.number, idCpro: rec.idCpro, state: rec.state });
        changed = true;
      }
      return { records: changed ? records : undefined, result: undefined };
    });
  }
  return out;
}
