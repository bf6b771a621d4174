/**
 * The invoices of a file set aside (`chorus-flux set-aside`) after an attempt at it was cut
 * short. The lifecycle takes its decision before the outputs are written (deposit.ts
 * applyDecision): an attempt that died while writing them — the very files set aside, whose
 * processing ends its worker every time — left each new invoice MISE_A_DISPOSITION with its
 * IdCPRO, though no pivot went out (the outputs are committed together at the end, just before
 * the processed mark). Set aside, the file is refused whole and its partner told so; the
 * corrected file it sends then was refused as a DOUBLON of an invoice the finance SI never
 * received. The records such an attempt created, with nothing happened to them since, are
 * forgotten, as for any refused file (their IdCPRO is never given again); an invoice known
 * before this file, or moved since, is kept and said.
 */
import type { LifecycleStore } from './store';
import { businessKey, type LifecycleRecord } from './record';
import { FLUX_KINDS } from '../model/flux';
import { parseFlux } from '../transform/parse/flux';
import { supplierId } from '../transform/chorus/supplier-id';

export interface ForgottenDeposits {
  /** invoices whose record the interrupted attempt had created: removed */
  forgotten: { number: string; idCpro: string }[];
  /** invoices that attempt had deposited on a record known before it (or moved since): kept */
  kept: { number: string; idCpro: string; state: string }[];
}

/** Whether only the deposits of `sha` made this record, and nothing happened to it since. */
function madeOnlyBy(rec: LifecycleRecord, sha: string): boolean {
  return rec.deposits.every((d) => d.sha256 === sha) && rec.history.every((h) => h.sha256 === sha) && !rec.statusEvents?.length && rec.outputs.length === 0;
}

/**
 * Forgets the lifecycle records the deposits of content `sha` (read from `bytes`) created. A
 * file that cannot be read as invoices was refused before any deposit: nothing to forget.
 */
export async function forgetDepositsOf(lifecycle: LifecycleStore, sha: string, bytes: Buffer, maxEmbeddedBytes: number): Promise<ForgottenDeposits> {
  const out: ForgottenDeposits = { forgotten: [], kept: [] };
  const parsed = await parseFlux(bytes, { maxEmbeddedBytes }).catch(() => undefined);
  if (!parsed || parsed.kind === FLUX_KINDS.STATUT) return out;
  for (const invoice of parsed.invoices) {
    if (invoice.number === undefined) continue; // refused before the lifecycle
    const sid = supplierId(invoice) ?? '';
    const key = businessKey(sid, invoice.number, invoice.issueDate);
    await lifecycle.update(sid, invoice.number, (records) => {
      const rec = records.find((r) => r.key === key);
      if (!rec || !rec.deposits.some((d) => d.sha256 === sha)) return { result: undefined };
      if (!madeOnlyBy(rec, sha)) {
        out.kept.push({ number: rec.number, idCpro: rec.idCpro, state: rec.state });
        return { result: undefined };
      }
      out.forgotten.push({ number: rec.number, idCpro: rec.idCpro });
      return { records: records.filter((r) => r !== rec), result: undefined };
    });
  }
  return out;
}
