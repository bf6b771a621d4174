/**
 * Inbound CPPStatut flows from a finance SI (IPM4-003): each invoice status line is matched
 * to an invoice by supplier identifier + invoice number (+ the year of DateFacture), checked
 * against the transition table, applied to the lifecycle and forwarded to the depositor —
 * a 06 SUSPENDUE becomes the SUSPENDU flow toward the supplier's side in the same job.
 * A line for an unknown invoice, an ambiguous one, or an impossible transition is refused
 * with a reason, as Chorus Pro refuses it; the SI gets a 93 (or 96) flow status back. The
 * flow statuses it sends about the flows it received are judged in flow-statuses.ts.
 */
import type { CdarEvent } from '../emit/cdar';
import { forwardedCdar } from '../emit/cdar-events';
import { sendStatusFlow } from '../emit/partner-status';
import { errorDetails } from '../emit/statut/build';
import type { InvoiceStatusLine } from '../emit/statut/serialize';
import type { JournalInvoice, JournalOutput } from '../journal/events';
import type { Finding } from '../model/finding';
import { flowId } from '../runner/flow-id';
import { faultPoint } from '../util/fault';
import type { PipelineDeps } from '../runner/process-file';
import { parseStatut, type InboundInvoiceStatus } from '../transform/parse/statut';
import { judgeFlowStatuses } from './flow-statuses';
import { emptyStatusFlow, FLOW_STATUSES, invoiceLineFinding, invoiceLineProblem } from './status-line-checks';
import type { LifecycleRecord } from './record';
import { withinReplayWindow } from './replay-window';
import { replayWindowDays } from '../state/prune-horizon';
import { instantOfWallTime } from '../reconcile/day';
import { CODE_OF, LATE_STEPS, SI_TRANSITIONS, stateName, type StateName } from './states';
import { olderThanAnswered, olderThanLast } from './older-status';
import type { StatusApplyArgs, StatusApplyResult, StatusFlowHandler } from './status-handler';

type LineResult =
  | { ok: true; line: InboundInvoiceStatus; record: LifecycleRecord; from: StateName; to: StateName; changed: boolean; /** the SI's Horodatage, an xs:dateTime */ at: string; /** a step told after a newer one: forwarded, the state kept */ late?: true }
  | { ok: false; line: InboundInvoiceStatus; finding: Finding; record?: LifecycleRecord };


function refuse(line: InboundInvoiceStatus, rule: string, message: string, record?: LifecycleRecord): LineResult {
  return { ok: false, line, record, finding: invoiceLineFinding(line, rule, message) };
}

/**
 * The partners that may change an invoice's status: the finance SI of its recipient
 * (`statusPartner`, else the partner named after its recepteurId, where COMPLETEE flows go)
 * and, for a works invoice routed to the MOE, the partner named after the MOE's recepteurId.
 * Anyone else — a dematerialisation operator above all — could otherwise suspend or mark paid
 * the invoices of other suppliers.
 */
export function statusSenders(config: PipelineDeps['config'], rec: LifecycleRecord): string[] {
  const recipient = config.recipients.find((r) => r.siret === rec.buyerSiret);
  const out = new Set<string>();
  if (recipient) out.add(recipient.statusPartner ?? recipient.recepteurId);
  if (rec.recepteurId && rec.recepteurId !== recipient?.recepteurId) out.add(rec.recepteurId);
  return [...out];
}

async function applyLine(deps: PipelineDeps, sha: string, file: string, partner: string, line: InboundInvoiceStatus, replayDays: number): Promise<LineResult> {
  const problem = invoiceLineProblem(line);
  if (problem) return { ok: false, line, finding: problem };
  const { idFacture, supplier } = line as { idFacture: string; supplier: { id: string } };
  const to = stateName((line.idStatut as string).padStart(2, '0')) as StateName;
  const siAt = (line.horodatage as string).trim();
  // a year mistyped (2062) would be the invoice's last status for ever: every true one after it refused as older
  const siMs = instantOf(siAt, deps.config.timezone);
  if (siMs > deps.clock.now().getTime() + FUTURE_TOLERANCE_MS) {
    return refuse(line, 'CPRO-STATUT-HORODATAGE', `Horodatage ${siAt} is in the future: a status cannot be dated after it was received (more than a day ahead of this platform's clock); check the date.`);
  }
  return deps.lifecycle.update(supplier.id, idFacture, (records) => {
    const year = line.dateFacture?.slice(0, 4);
    const candidates = records.filter((r) => !year || (r.issueDate ?? '').startsWith(year));
    if (candidates.length === 0) {
      return { result: refuse(line, 'CPRO-STATUT-INCONNUE', `no invoice ${idFacture} of supplier ${supplier.id}${year ? ` issued in ${year}` : ''} is known: a status cannot apply to an unknown invoice.`) };
    }
    // only the invoices this sender may change count: how many others exist, and when they were
    // issued, is not its to learn (an operator's probe got "2 invoices … issued 2026-11-02, 2025-11-02")
    const own = candidates.filter((r) => statusSenders(deps.config, r).includes(partner));
    if (own.length > 1) {
      return { result: refuse(line, 'CPRO-STATUT-AMBIGU', `${own.length} invoices ${idFacture} of supplier ${supplier.id} exist (issued ${own.map((c) => c.issueDate).join(', ')}): give DateFacture.`) };
    }
    const rec = own[0] ?? candidates[0];
    if (own.length === 0) {
      // whose invoice it is, and which SI holds it, is not this sender's to learn (the log has it)
      return { result: refuse(line, 'CPRO-STATUT-EMETTEUR', `partner ${partner} is not the finance system of this invoice's recipient: only that finance system may change its status.`, rec) };
    }
    // the same status line applied before: its outcome again (a crash's replay), unless it is older
    // than the processed marks' retention (or a shorter prune's) — then it is a new line, and nothing is forwarded twice
    const window = { now: deps.clock.now(), days: replayDays };
    const done = rec.statusEvents?.find((e) => e.sha256 === sha && e.index === line.index && withinReplayWindow(e.at, window));
    if (done) return { result: { ok: true, line, record: rec, from: done.from, to: done.to, changed: done.changed, at: siAt, late: done.late } as LineResult };
    const from = rec.state;
    const at = deps.clock.now().toISOString();
    if (heldByPipeline(rec)) {
      // a recycled invoice's corrected deposit held so was sent once: saying "never sent" misled the SI that recycled it
      const held = rec.recyclePending
        ? `the corrected deposit of the invoice ${idFacture}, which its finance system asked to recycle, was suspended by chorus-flux and has not gone out again`
        : `the invoice ${idFacture} was suspended by chorus-flux on deposit and never sent to a finance system`;
      return { result: refuse(line, 'CPRO-STATUT-NON-TRANSMISE', `${held}: it waits for its supplier to complete it, and no status can apply to it before.`, rec) };
    }
    if (from === to) {
      rec.statusEvents = [...(rec.statusEvents ?? []), { sha256: sha, index: line.index, from, to, at, siAt, changed: false, partner }];
      return { records, result: { ok: true, line, record: rec, from, to, changed: false, at: siAt } as LineResult };
    }
    // a line dated before the suspension (recycling) its supplier has since answered, or that very
    // status again: it is about the invoice as it was then (the SI's flow sent again after a 96,
    // files crossing), and would suspend again, or pay, the completed invoice the SI has not even
    // received. Another status of the same moment is taken (an SI that dates by the day)
    const answered = answeredSiStatus(rec, partner);
    if (answered && (isBefore(siAt, answered.siAt, deps.config.timezone) || (to === answered.to && isAtOrBefore(siAt, answered.siAt, deps.config.timezone)))) {
      return { result: refuse(line, 'CPRO-STATUT-ANTERIEUR', olderThanAnswered({ to, siAt, newer: answered }, rec.renvoi), rec) };
    }
    // a line older than the last status applied (files crossing in transit, threads taking them in any order)
    const newer = latestSiStatus(rec);
    if (newer && isBefore(siAt, newer.siAt, deps.config.timezone)) {
      // a step on the way to the state it is in (07 SERVICE_FAIT of 09:00 after 08 MANDATEE of 10:00):
      // its supplier must still hear of it, dated as the SI dated it (a service fait starts the payment delay)
      // — and only from the state the invoice was in at its moment: a 07 of 10:30 about an invoice
      // recycled at 10:00 and rejected at 11:00 was never a service fait (A_RECYCLER allows none)
      const then = stateAt(rec, siAt, deps.config.timezone);
      if (LATE_STEPS.has(to) && SI_TRANSITIONS[to].includes(from) && SI_TRANSITIONS[then].includes(to)) {
        const told = toldSinceSent(rec, to);
        if (!told) rec.history.push({ at, siAt, state: to, by: 'finance-si', reason: siWords(line), sha256: sha, file, late: true });
        rec.statusEvents = [...(rec.statusEvents ?? []), { sha256: sha, index: line.index, from, to, at, siAt, changed: !told, late: true, partner }];
        return { records, result: { ok: true, line, record: rec, from, to, changed: !told, at: siAt, late: true } as LineResult };
      }
      const wasThen = LATE_STEPS.has(to) && SI_TRANSITIONS[to].includes(from) ? then : undefined;
      return { result: refuse(line, 'CPRO-STATUT-ANTERIEUR', olderThanLast({ to, siAt, newer }, wasThen), rec) };
    }
    if (!SI_TRANSITIONS[from].includes(to)) {
      const allowed = SI_TRANSITIONS[from];
      return {
        result: refuse(
          line,
          'CPRO-STATUT-TRANSITION',
          // the states allowed before the why: a reason past 300 characters is cut in the flow
          // (the list of a 12 from SERVICE_FAIT was, the SI told half of it)
          `the invoice is ${from} (${CODE_OF[from]}); it cannot become ${to} (${CODE_OF[to]}). Allowed from ${from}: ${allowed.length ? allowed.join(', ') : 'none'}.${to === 'COMPLETEE' ? ' A finance SI does not complete an invoice: its supplier does, by sending it again with what was missing.' : ''}`,
          rec,
        ),
      };
    }
    const reason = siWords(line);
    rec.history.push({ at, siAt, state: to, by: 'finance-si', reason, sha256: sha, file });
    rec.state = to;
    if (to === 'SUSPENDUE') {
      // the supplier's time to complete runs from when it is told (forwarded now), not from the SI's Horodatage
      rec.suspendedAt = at;
      rec.suspendReason = reason;
    } else {
      rec.suspendedAt = undefined;
      rec.suspendReason = undefined;
    }
    rec.statusEvents = [...(rec.statusEvents ?? []), { sha256: sha, index: line.index, from, to, at, siAt, changed: true, partner }];
    return { records, result: { ok: true, line, record: rec, from, to, changed: true, at: siAt } as LineResult };
  });
}

/**
 * An invoice the pipeline suspended on deposit (a first deposit, or a recycled invoice's
 * corrected one) is with no finance SI: a status about it would change an invoice its SI never
 * had, and a rejection would make its supplier's completion a DOUBLON. Only the operator can
 * reject it (`chorus-flux reject`, lifecycle/operator-reject.ts), once its supplier gave up.
 */
export function heldByPipeline(rec: LifecycleRecord): boolean {
  if (rec.state !== 'SUSPENDUE') return false;
  const last = [...rec.history].reverse().find((h) => h.state === 'SUSPENDUE');
  return last?.by === 'pipeline';
}

/**
 * The last status a finance SI changed the invoice to since its pivot last went out, with its
 * Horodatage (a completed or recycled invoice starts afresh, maybe with another SI and its clock;
 * records written before the Horodatage was kept have none).
 */
function latestSiStatus(rec: LifecycleRecord): { to: StateName; siAt: string } | undefined {
  const sent = lastSentAt(rec);
  const e = [...(rec.statusEvents ?? [])].reverse().find((x) => x.changed && !x.late && x.siAt !== undefined && x.at >= sent);
  return e ? { to: e.to, siAt: e.siAt as string } : undefined;
}

/**
 * The finance SI's status that sent the invoice back to its supplier (the suspension it was
 * completed after, the recycling it was corrected after): the last it changed before the pivot
 * went out again. Only when `partner` sent it, so that its Horodatage is on the same clock
 * (a recycled invoice may now go to another SI); none for an invoice sent once.
 */
function answeredSiStatus(rec: LifecycleRecord, partner: string): { to: StateName; siAt: string } | undefined {
  if (rec.renvoi !== 'Complétée' && rec.renvoi !== 'Recyclée') return undefined;
  const sent = lastSentAt(rec);
  const e = [...(rec.statusEvents ?? [])].reverse().find((x) => x.changed && !x.late && x.siAt !== undefined && x.at < sent);
  return e && e.partner === partner ? { to: e.to, siAt: e.siAt as string } : undefined;
}

/**
 * The state the invoice was in at moment `siAt` by its finance SI's statuses since its pivot last
 * went out: that of the last one dated before it, else the one the first of them changed. Only
 * asked about a line older than the last status applied, so there is one.
 */
function stateAt(rec: LifecycleRecord, siAt: string, timeZone: string): StateName {
  const sent = lastSentAt(rec);
  const events = (rec.statusEvents ?? []).filter((x) => x.changed && !x.late && x.siAt !== undefined && x.at >= sent);
  const before = events.filter((x) => isBefore(x.siAt as string, siAt, timeZone));
  return before.length ? before[before.length - 1].to : (events[0]?.from ?? rec.state);
}

/** When the invoice's pivot last went out ('' when never): the pipeline's own entry, not a status an SI sent. */
function lastSentAt(rec: LifecycleRecord): string {
  return [...rec.history].reverse().find((h) => h.state === 'MISE_A_DISPOSITION' && h.by === 'pipeline')?.at ?? '';
}

/** Whether a finance SI already told status `to` of the invoice since its pivot last went out. */
function toldSinceSent(rec: LifecycleRecord, to: StateName): boolean {
  const sent = lastSentAt(rec);
  return rec.history.some((h) => h.by === 'finance-si' && h.state === to && h.at >= sent);
}

/** How far ahead of this platform's clock a status may be dated (clocks of two machines, a zone written wrong). */
const FUTURE_TOLERANCE_MS = 86_400_000;

/**
 * The instant of an xs:dateTime: one without a time zone (the XSD allows it) is read in the
 * installation's time zone, not the server's (Date.parse would take the process's local time).
 */
function instantOf(dateTime: string, timeZone: string): number {
  if (/(?:[Zz]|[+-]\d{2}:\d{2})$/.test(dateTime)) return Date.parse(dateTime);
  const wall = Date.parse(`${dateTime}Z`);
  return Number.isFinite(wall) ? instantOfWallTime(wall, timeZone) : NaN;
}

/** a strictly earlier instant than b (two xs:dateTime; an unreadable one is never earlier) */
function isBefore(a: string, b: string, timeZone: string): boolean {
  const ta = instantOf(a, timeZone);
  const tb = instantOf(b, timeZone);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

/** a at the same instant as b or earlier (an unreadable one is neither) */
function isAtOrBefore(a: string, b: string, timeZone: string): boolean {
  const ta = instantOf(a, timeZone);
  const tb = instantOf(b, timeZone);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta <= tb;
}

/**
 * The status line forwarded to the depositor: the invoice as the lifecycle knows it (who
 * issued it, to whom: checked when it was deposited), the SI's status, words (cut to 300
 * characters) and moment. What the SI echoes of the parties is taken only where the
 * CPPStatut XSD can carry it.
 */
function forwardLine(r: Extract<LineResult, { ok: true }>): InvoiceStatusLine | undefined {
  const { line, record } = r;
  const buyer = record.buyerSiret ?? line.buyer.id;
  if (!buyer || !/^\d{14}$/.test(buyer)) return undefined;
  const country = line.supplier.country?.trim();
  const codeService = line.buyer.codeService?.trim();
  return {
    supplier: { typeId: record.supplierIdType && SUPPLIER_ID_TYPES.has(record.supplierIdType) ? record.supplierIdType : '1', id: record.supplierId, name: record.sellerName ?? line.supplier.name ?? '', country: country && /^[A-Z]{2}$/.test(country) ? country : undefined },
    buyer: { id: buyer, name: line.buyer.name ?? record.buyerName, codeService: codeService && codeService.length <= 100 ? codeService : undefined, serviceName: line.buyer.serviceName },
    idStatut: CODE_OF[r.to],
    complement: line.complement,
    commentaire: line.commentaire,
    horodatage: r.at,
    idFacture: record.number,
    dateFacture: record.issueDate,
    idMandatDP: line.idMandatDP,
  };
}

/** Fournisseur/TypeIdentifiant in the CPPStatut XSD (1 SIRET … 7 tiers physique). */
const SUPPLIER_ID_TYPES = new Set(['1', '2', '3', '4', '5', '6', '7']);

export class LifecycleStatusFlows implements StatusFlowHandler {
  async apply(args: StatusApplyArgs): Promise<StatusApplyResult> {
    const { deps, file, sha, flowSeed, xml, day, horodatage, log } = args;
    const parsed = parseStatut(xml.node);
    const results: LineResult[] = [];
    const replayDays = replayWindowDays(deps.config.paths.state, deps.config.retention.processedMarksDays);
    for (const line of parsed.invoices) results.push(await applyLine(deps, sha, file.relPath, file.partner, line, replayDays));
    faultPoint('after-status-lines', file.name);
    const ok = results.filter((r): r is Extract<LineResult, { ok: true }> => r.ok);
    const bad = results.filter((r): r is Extract<LineResult, { ok: false }> => !r.ok);
    const outputs: JournalOutput[] = [];

    // forward every applied change to the invoice's depositor, grouped by partner
    const byPartner = new Map<string, { lines: InvoiceStatusLine[]; cdar: (CdarEvent | undefined)[] }>();
    for (const r of ok) {
      if (!r.changed) continue;
      const g = byPartner.get(r.record.partner) ?? { lines: [], cdar: [] };
      const l = forwardLine(r);
      if (l) g.lines.push(l);
      g.cdar.push(forwardedCdar(r.record, CODE_OF[r.to], siWords(r.line), { messageId: flowId(...flowSeed, 'cdar', 'forward', r.line.index), at: r.at, issuedAt: horodatage }));
      byPartner.set(r.record.partner, g);
    }
    const forwardedTo = new Map<string, JournalOutput[]>();
    for (const [partner, g] of [...byPartner.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const sent = await sendStatusFlow(deps, partner, { dtPrd: day, idFlx: flowId(...flowSeed, 'forward', partner), factures: g.lines }, g.cdar);
      forwardedTo.set(partner, sent);
      outputs.push(...sent);
    }
    // the flow statuses: judged and recorded, a refusal of one of our flows said loudly
    const flows = judgeFlowStatuses(deps, file.partner, parsed.flux);
    for (const f of flows.statuses) {
      const what = { idFlux: f.idFlux, idStatut: f.idStatut, flow: f.flow, reason: f.reason };
      const known = f.flow ? `flow ${f.flow}` : `flow ${f.idFlux} (not in its outbox any more, or not one chorus-flux sent)`;
      if (f.verdict === 'acknowledged') log.info(what, `partner ${file.partner} acknowledged ${known}: ${f.idStatut} ${FLOW_STATUSES[f.idStatut].label}`);
      else log.error(what, `partner ${file.partner} ${f.verdict === 'rejected' ? 'refused' : 'integrated only part of'} ${known}: ${f.idStatut} ${FLOW_STATUSES[f.idStatut].label}${f.reason ? ` — ${f.reason.slice(0, 300)}` : ''}; its invoices need an operator`);
    }
    // refused lines go back to the SI that sent them (a wholly refused file: the runner does it)
    const findings = [...bad.map((b) => b.finding), ...flows.refused];
    const anyOk = ok.length > 0 || flows.statuses.length > 0;
    if (findings.length > 0 && anyOk) {
      outputs.push(
        ...(await sendStatusFlow(deps, file.partner, {
          dtPrd: day,
          idFlx: flowId(...flowSeed, 'statut', '96'),
          flux: [{ idStatut: '96', horodatage, idFlux: parsed.idFlx ?? args.name ?? file.name, commentaire: findings[0].message, errors: errorDetails(findings) }],
        })),
      );
    }
    // record where its forwarded flows went (the flow to its depositor that carries its line;
    // not the 96 back to the SI, nor the flows about other depositors' invoices)
    for (const r of ok) {
      const mine = forwardedTo.get(r.record.partner) ?? [];
      if (!r.changed || mine.length === 0) continue;
      await deps.lifecycle.update(r.record.supplierId, r.record.number, (records) => {
        const rec = records.find((x) => x.key === r.record.key);
        if (!rec) return { result: undefined };
        const known = new Set(rec.outputs.map((o) => o.path));
        for (const o of mine) if ((o.kind === 'statut' || o.kind === 'cdar') && !known.has(o.path)) rec.outputs.push({ kind: o.kind, path: o.path, sha256: o.sha256, source: sha });
        return { records, result: undefined };
      });
    }
    const invoices: JournalInvoice[] = results.map((r) => ({
      key: r.record?.key,
      number: r.line.idFacture,
      supplierId: r.line.supplier.id,
      buyerSiret: r.line.buyer.id,
      idCpro: r.record?.idCpro,
      recepteurId: r.record?.recepteurId,
      outcome: r.ok ? 'status' : 'refused',
      state: r.ok && !r.late ? r.to : r.record?.state,
      reason: r.ok ? siWords(r.line) : undefined,
      findings: r.ok ? undefined : [r.finding],
    }));
    for (const r of ok) log.info({ invoice: r.record.number, idCpro: r.record.idCpro, from: r.from, to: r.to, changed: r.changed, late: r.late }, r.late ? `status ${r.to} of ${r.at}, told after a newer one: forwarded, the invoice stays ${r.record.state}` : `status ${r.to}`);
    // a refused line of a flow otherwise applied: said here (a flow refused whole is logged by the runner)
    if (anyOk) for (const b of bad) log.warn({ invoice: b.line.idFacture, line: b.line.index, rules: [b.finding.rule], ...(b.record ? { buyerSiret: b.record.buyerSiret, statusSenders: statusSenders(deps.config, b.record) } : {}) }, `status line ${b.line.index + 1}${b.line.idFacture ? ` (invoice ${b.line.idFacture})` : ''} refused: ${b.finding.rule} ${b.finding.message}`);
    const refused = !anyOk;
    if (parsed.invoices.length + parsed.flux.length === 0) findings.push(emptyStatusFlow());
    return { refused, findings, outputs, invoices, flows: flows.statuses.length > 0 ? flows.statuses : undefined, idFlux: parsed.idFlx };
  }
}

/** The SI's words for a status: its Commentaire, else its ComplementStatut (a blank Commentaire hid it). */
function siWords(line: InboundInvoiceStatus): string | undefined {
  return nonBlank(line.commentaire) ?? nonBlank(line.complement);
}

/** A text with something in it, else undefined. */
function nonBlank(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}
