/**
 * `chorus-flux reject`: the operator rejects an invoice chorus-flux suspended on deposit that its
 * supplier never completed. No finance SI can (it never had it: CPRO-STATUT-NON-TRANSMISE), and
 * the nightly report said `suspended-past-deadline` every night until then.
 *   1. under the invoice's lifecycle lock: SUSPENDUE → REJETEE, a history entry by the operator
 *      with the reason, and `operatorRejection` { at, reason };
 *   2. its depositor told as the pipeline tells it of any status (its statusFormats): CPPStatut
 *      05 REJETEE and/or CDAR 213 Rejetée, named and dated after the invoice and `at`, so that
 *      written again after a crash they are the same files with the same bytes;
 *   3. the outputs recorded on the lifecycle record, the journal line written (once: a crash
 *      between the line and its mark is found in the journal), the record marked `journaled`.
 * A crash may cut any step: run again, it finishes what is missing. The whole is done under a
 * lock per IdCPRO, so that two operators at once make one rejection.
 */
import path from 'node:path';
import type { Config } from '../config/config';
import { operatorRejectedCdar } from '../emit/cdar-events';
import { sendStatusFlow } from '../emit/partner-status';
import { sweepPartnerStatus } from '../emit/sweep';
import type { InvoiceStatusLine } from '../emit/statut/serialize';
import type { JournalEvent, JournalInvoice, JournalOutput } from '../journal/events';
import { addDays } from '../reconcile/day';
import { lifecycleRecords } from '../reconcile/lifecycle-scan';
import { readJournalDayStream } from '../reconcile/read-journal';
import { flowId } from '../runner/flow-id';
import type { PipelineDeps } from '../runner/process-file';
import { statePaths } from '../runner/deps';
import { withFileLock } from '../state/file-lock';
import { dayOf } from '../util/clock';
import { faultPoint } from '../util/fault';
import type { HistoryEntry, LifecycleRecord } from './record';
import { heldByPipeline } from './status-flows';

export type RejectDeps = Pick<PipelineDeps, 'config' | 'clock' | 'logger' | 'lifecycle' | 'outbox' | 'journal'>;

export type RejectResult =
  | {
      /** rejected now; finished (a run cut by a crash: what it owed written now); already (nothing was missing) */
      result: 'rejected' | 'finished' | 'already';
      record: LifecycleRecord;
      /** the rejection as recorded: a later run keeps the first one's moment and words */
      at: string;
      reason: string;
      /** the status flows to the depositor (written now, or before for `already`) */
      outputs: Pick<JournalOutput, 'kind' | 'path' | 'sha256'>[];
    }
  | { result: 'refused'; message: string; record?: LifecycleRecord };

/** The IdCPROs chorus-flux gives: integers (IPM4-AIFE-2). */
export const ID_CPRO = /^\d{1,18}$/;

/** Fournisseur/TypeIdentifiant in the CPPStatut XSD (1 SIRET … 7 tiers physique). */
const SUPPLIER_ID_TYPES = new Set(['1', '2', '3', '4', '5', '6', '7']);

/** Every record with this IdCPRO, and the record files that could not be read (it may be in one). */
export async function findByIdCpro(config: Config, idCpro: string): Promise<{ records: LifecycleRecord[]; damaged: string[] }> {
  const records: LifecycleRecord[] = [];
  const damaged: string[] = [];
  for await (const r of lifecycleRecords(statePaths(config).invoices, (file) => damaged.push(file))) if (r.idCpro === idCpro) records.push(r);
  return { records, damaged };
}

/** Why an invoice in this state cannot be rejected here, and who can act on it. */
function notRejectable(rec: LifecycleRecord): string {
  const what = `Invoice ${rec.number} of supplier ${rec.supplierId} (IdCPRO ${rec.idCpro})`;
  const last = [...rec.history].reverse().find((h) => h.state === rec.state);
  if (rec.state === 'SUSPENDUE') {
    const si = last?.file ? ` (its status flow ${last.file}${last.at ? `, ${last.at}` : ''})` : '';
    return `${what} was suspended by its finance SI${si}, which has the invoice: that finance SI rejects it itself, with a 05 REJETEE status flow that chorus-flux forwards to the supplier's side. Only an invoice chorus-flux suspended on deposit, which no finance SI ever had, is rejected with chorus-flux reject.`;
  }
  if (rec.state === 'REJETEE') return `${what} is already REJETEE (by ${last?.by === 'finance-si' ? 'its finance SI' : (last?.by ?? 'its finance SI')}${last?.at ? ` at ${last.at}` : ''}): nothing to reject.`;
  if (rec.state === 'DEPOSEE') return `${what} is DEPOSEE: a deposit of it is being processed (or was cut by a crash and will be processed again); nothing to reject.`;
  return `${what} is ${rec.state}: it went to its finance SI (${rec.recepteurId ?? '?'}), which alone can reject it (a 05 REJETEE status flow). chorus-flux reject only rejects an invoice chorus-flux suspended on deposit (SUSPENDUE, never sent to a finance SI).`;
}

/** The operator's rejection as the lifecycle holds it, when it is one. */
function recorded(rec: LifecycleRecord): { at: string; reason: string; journaled?: true } | undefined {
  return rec.state === 'REJETEE' && rec.operatorRejection ? rec.operatorRejection : undefined;
}

/** The deposit that was suspended: the journal line of the rejection names it (trace tells them together). */
function suspendedDeposit(rec: LifecycleRecord): { sha256: string; file: string } {
  const h = [...rec.history].reverse().find((x: HistoryEntry) => x.state === 'SUSPENDUE' && x.by === 'pipeline' && x.sha256);
  const d = rec.deposits[rec.deposits.length - 1];
  return { sha256: h?.sha256 ?? d?.sha256 ?? '', file: h?.file ?? `(IdCPRO ${rec.idCpro})` };
}

/** The 05 REJETEE line about the invoice, as the lifecycle knows it (as a finance SI's status is forwarded). */
function rejectionLine(rec: LifecycleRecord, at: string, reason: string): InvoiceStatusLine | undefined {
  if (!rec.buyerSiret || !/^\d{14}$/.test(rec.buyerSiret)) return undefined;
  return {
    supplier: { typeId: rec.supplierIdType && SUPPLIER_ID_TYPES.has(rec.supplierIdType) ? rec.supplierIdType : '1', id: rec.supplierId, name: rec.sellerName ?? '' },
    buyer: { id: rec.buyerSiret, name: rec.buyerName },
    idStatut: '05',
    complement: 'Rejetée',
    commentaire: reason,
    horodatage: at,
    idFacture: rec.number,
    dateFacture: rec.issueDate && /^\d{4}-\d{2}-\d{2}$/.test(rec.issueDate) ? rec.issueDate : undefined,
  };
}

/** Writes the status flows toward the depositor: same names and bytes for the same rejection. */
async function tellDepositor(deps: RejectDeps, rec: LifecycleRecord, at: string, reason: string): Promise<JournalOutput[]> {
  const line = rejectionLine(rec, at, reason);
  const flow = line ? { dtPrd: dayOf(new Date(at), deps.config.timezone), idFlx: flowId('reject', rec.key, rec.idCpro, at), factures: [line] } : undefined;
  const cdar = operatorRejectedCdar(rec, reason, { messageId: flowId('cdar', 'reject', rec.key, rec.idCpro, at), at });
  const outputs = await sendStatusFlow(deps, rec.partner, flow, [cdar]);
  return outputs.map((o) => ({ ...o, idCpro: [rec.idCpro] }));
}

/** Whether the journal already has this rejection's line (a run killed between the line and its mark). */
async function journaledBefore(deps: RejectDeps, idCpro: string, at: string): Promise<boolean> {
  const dir = statePaths(deps.config).journal;
  const today = dayOf(deps.clock.now(), deps.config.timezone);
  const needles = ['"event":"invoice-rejected"', `"rejectedAt":${JSON.stringify(at)}`, `"idCpro":${JSON.stringify(idCpro)}`];
  let found = false;
  for (let day = dayOf(new Date(at), deps.config.timezone); day <= today && !found; day = addDays(day, 1)) {
    await readJournalDayStream(dir, day, {
      accept: (text) => needles.every((n) => text.includes(n)),
      onLine: (l) => {
        if (l.event === 'invoice-rejected' && l.rejectedAt === at && l.invoices.some((i) => i.idCpro === idCpro)) found = true;
      },
    });
  }
  return found;
}

/**
 * Rejects the invoice of IdCPRO `idCpro` with the operator's `reason` (whole: the flows cut it to
 * 300 characters, the journal and the lifecycle keep it). Throws only on a system failure.
 */
export async function rejectSuspended(deps: RejectDeps, idCpro: string, reason: string): Promise<RejectResult> {
  const lock = path.join(deps.config.paths.state, 'locks', `reject-${idCpro}.lock`);
  return withFileLock(lock, () => rejectLocked(deps, idCpro, reason), { staleMs: 120_000, timeoutMs: 60_000 });
}

/** Step 1's outcome: refused (why), or the rejection as recorded (`before`: by an earlier run). */
type Decided = { refused: string; rec?: LifecycleRecord } | { rec: LifecycleRecord; at: string; reason: string; journaled: boolean; before: boolean };

async function rejectLocked(deps: RejectDeps, idCpro: string, reason: string): Promise<RejectResult> {
  const found = await findByIdCpro(deps.config, idCpro);
  if (found.records.length === 0) {
    const unread = found.damaged.length ? ` ${found.damaged.length} lifecycle record file(s) cannot be read (${found.damaged.slice(0, 3).join(', ')}${found.damaged.length > 3 ? ', …' : ''}): it may be in one; the reconciliation names them (docs/OPERATIONS.md).` : '';
    return { result: 'refused', message: `No invoice has IdCPRO ${idCpro} in ${statePaths(deps.config).invoices}: check the IdCPRO (the reconciliation's report and chorus-flux trace give it) and --config / --out.${unread}` };
  }
  if (found.records.length > 1) {
    return { result: 'refused', message: `${found.records.length} invoices have IdCPRO ${idCpro} (${found.records.map((r) => `${r.number} of supplier ${r.supplierId}`).join('; ')}): an IdCPRO is never given twice, so the state folder was tampered with or mixed with another installation's; nothing was rejected.` };
  }
  const { supplierId, number, key } = found.records[0];
  // 1. the state, under the invoice's lock: it may have moved since the scan (its supplier's completion)
  const step1 = await deps.lifecycle.update<Decided>(supplierId, number, (records) => {
    const rec = records.find((r) => r.key === key && r.idCpro === idCpro);
    if (!rec) return { result: { refused: `The invoice of IdCPRO ${idCpro} left its lifecycle record while it was being read; run the command again.` } };
    const done = recorded(rec);
    if (done) return { result: { rec, at: done.at, reason: done.reason, journaled: done.journaled === true, before: true } };
    if (!heldByPipeline(rec)) return { result: { refused: notRejectable(rec), rec } };
    const at = deps.clock.now().toISOString();
    rec.history.push({ at, state: 'REJETEE', by: 'operator', reason });
    rec.state = 'REJETEE';
    rec.suspendedAt = undefined;
    rec.suspendReason = undefined;
    rec.recyclePending = undefined;
    rec.operatorRejection = { at, reason };
    return { records, result: { rec, at, reason, journaled: false, before: false } };
  });
  if ('refused' in step1) return { result: 'refused', message: step1.refused, record: step1.rec };
  const { at, before } = step1;
  let rec = step1.rec;
  if (step1.journaled) return { result: 'already', record: rec, at, reason: step1.reason, outputs: recordedOutputs(rec) };
  faultPoint('after-reject-lifecycle');

  // 2. the depositor told (a run killed while writing a flow left its temp file: removed first)
  await sweepPartnerStatus(deps.config, rec.partner);
  const outputs = await tellDepositor(deps, rec, at, step1.reason);
  if (outputs.length === 0) deps.logger.warn({ idCpro, partner: rec.partner }, 'reject: no status flow could be written for the depositor (no 14-digit buyer SIRET for a CPPStatut, no seller identifier for a CDAR): tell it yourself');
  faultPoint('after-reject-flows');

  // 3. recorded, journaled once, marked
  rec = await deps.lifecycle.update(supplierId, number, (records) => {
    const r = records.find((x) => x.key === key) as LifecycleRecord;
    const known = new Set(r.outputs.map((o) => o.path));
    for (const o of outputs) if ((o.kind === 'statut' || o.kind === 'cdar') && !known.has(o.path)) r.outputs.push({ kind: o.kind, path: o.path, sha256: o.sha256, source: 'operator' });
    return { records, result: r };
  });
  if (!before || !(await journaledBefore(deps, idCpro, at))) {
    const dep = suspendedDeposit(rec);
    const invoice: JournalInvoice = {
      key: rec.key,
      number: rec.number,
      supplierId: rec.supplierId,
      buyerSiret: rec.buyerSiret,
      idCpro: rec.idCpro,
      recepteurId: rec.recepteurId,
      outcome: 'rejected',
      state: 'REJETEE',
      montantHT: rec.montantHT,
      montantTTC: rec.montantTTC,
      reason: step1.reason,
    };
    const line: JournalEvent = { event: 'invoice-rejected', by: 'operator', sha256: dep.sha256, file: dep.file, partner: rec.partner, rejectedAt: at, invoices: [invoice], outputs };
    await deps.journal.append(line);
  }
  faultPoint('after-reject-journal');
  rec = await deps.lifecycle.update(supplierId, number, (records) => {
    const r = records.find((x) => x.key === key) as LifecycleRecord;
    if (r.operatorRejection) r.operatorRejection.journaled = true;
    return { records, result: r };
  });
  return { result: before ? 'finished' : 'rejected', record: rec, at, reason: step1.reason, outputs };
}

/** The status flows a rejection wrote, as the lifecycle record lists them. */
function recordedOutputs(rec: LifecycleRecord): Pick<JournalOutput, 'kind' | 'path' | 'sha256'>[] {
  return rec.outputs.filter((o) => o.source === 'operator').map((o) => ({ kind: o.kind, path: o.path, sha256: o.sha256 }));
}
