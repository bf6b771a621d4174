/**
 * Counts and money: per partner, per recipient, per hour, and the day's totals, from the
 * compact file records. Amounts are summed in decimal (big.js), never in binary floats, each
 * currency apart, credit notes subtracted.
 */
import { Big, dec, fractionDigits } from '../model/decimal';
import type { Config } from '../config/config';
import { cmp } from './anomalies';
import type { FileRec, InvoiceRec } from './collect';
import type { DayHours } from './day';
import { CREDIT_NOTE_TYPE_CODES } from '../transform/enrich/invoice-document';
import type { AmountPair, Amounts, CurrencyAmounts, FileCounts, FlowRefusal, HourVolume, InvoiceCounts, ReconcileReport } from './types';

export function emptyFileCounts(): FileCounts {
  return { files: 0, accepted: 0, partial: 0, refused: 0, suspended: 0, duplicate: 0, statusApplied: 0, lost: 0, alreadyProcessed: 0 };
}

export function emptyInvoiceCounts(): InvoiceCounts {
  return { invoices: 0, accepted: 0, refused: 0, suspended: 0, completed: 0, recycled: 0, duplicate: 0, statusApplied: 0, statusSuspended: 0, statusRefused: 0, rejectedByOperator: 0 };
}


/** The currency the headline sums are in; an invoice journaled without one counts in it. */
export const MAIN_CURRENCY = 'EUR';

/** Whether an invoice's amounts are a credit: its BT-3 is a credit-note code (381, 261, 262, 396…). */
export function isCreditNote(inv: Pick<InvoiceRec, 'typeCode'>): boolean {
  return inv.typeCode !== undefined && CREDIT_NOTE_TYPE_CODES.has(inv.typeCode);
}

/** One currency's sums, in decimal, as precise as the most precise amount added (never rounded). */
class CurrencySum {
  n = 0;
  ht = new Big(0);
  ttc = new Big(0);
  scale = 2;
  creditNotes = 0;
  /** invoices with an amount given that is not a number: not summed, and said */
  unreadable = 0;
  constructor(readonly currency: string) {}
  add(inv: InvoiceRec): void {
    this.n++;
    const { montantHT: ht, montantTTC: ttc } = inv;
    if ([ht, ttc].some((v) => v !== undefined && v.trim() !== '' && !dec(v))) this.unreadable++;
    // a credit note's amounts are written positive: added as they are, they raised the total
    const credit = isCreditNote(inv);
    if (credit) this.creditNotes++;
    this.ht = this.plus(this.ht, ht, credit);
    this.ttc = this.plus(this.ttc, ttc, credit);
  }
  private plus(acc: Big, v: string | undefined, credit: boolean): Big {
    const d = dec(v);
    if (!d) return acc;
    this.scale = Math.max(this.scale, fractionDigits(v as string));
    return credit ? acc.minus(d) : acc.plus(d);
  }
  amounts(): CurrencyAmounts {
    return { currency: this.currency, invoices: this.n, ht: this.ht.toFixed(this.scale), ttc: this.ttc.toFixed(this.scale), ...(this.creditNotes ? { creditNotes: this.creditNotes } : {}), ...(this.unreadable ? { unreadable: this.unreadable } : {}) };
  }
}

/** Sums per currency (amounts of different currencies are never added together). */
class Money {
  n = 0;
  private readonly sums = new Map<string, CurrencySum>();
  add(inv: InvoiceRec): void {
    this.n++;
    const c = inv.currency?.toUpperCase() ?? MAIN_CURRENCY;
    let s = this.sums.get(c);
    if (!s) this.sums.set(c, (s = new CurrencySum(c)));
    s.add(inv);
  }
  pair(): AmountPair {
    const list = [...this.sums.values()].map((s) => s.amounts()).sort((a, b) => (a.currency === MAIN_CURRENCY ? -1 : b.currency === MAIN_CURRENCY ? 1 : cmp(a.currency, b.currency)));
    const main = list.find((x) => x.currency === MAIN_CURRENCY) ?? new CurrencySum(MAIN_CURRENCY).amounts();
    const creditNotes = list.reduce((k, x) => k + (x.creditNotes ?? 0), 0);
    const unreadable = list.reduce((k, x) => k + (x.unreadable ?? 0), 0);
    return { invoices: this.n, ht: main.ht, ttc: main.ttc, currency: MAIN_CURRENCY, ...(creditNotes ? { creditNotes } : {}), ...(unreadable ? { unreadable } : {}), byCurrency: list };
  }
}

class MoneyInOut {
  in = new Money();
  out = new Money();
  amounts(): Amounts {
    return { in: this.in.pair(), out: this.out.pair() };
  }
}

const FILE_KEY: Record<string, keyof FileCounts> = {
  accepted: 'accepted',
  partial: 'partial',
  refused: 'refused',
  suspended: 'suspended',
  duplicate: 'duplicate',
  'status-applied': 'statusApplied',
};

const INVOICE_KEY: Record<string, keyof InvoiceCounts> = {
  accepted: 'accepted',
  refused: 'refused',
  suspended: 'suspended',
  completed: 'completed',
  recycled: 'recycled',
  duplicate: 'duplicate',
};

const EMITTED = new Set(['accepted', 'completed', 'recycled']);

export function isStatusFlow(f: FileRec): boolean {
  return f.outcome?.kind === 'CPPStatut' || f.outcome?.outcome === 'status-applied';
}

export interface RecipientNamer {
  (recepteurId: string): string | undefined;
}

/** The recipient an invoice counts for: the recepteur its pivot went to, else the routing table's for its buyer. */
export function recipientKey(config: Config, inv: InvoiceRec): string {
  if (inv.recepteurId) return inv.recepteurId;
  const r = inv.buyerSiret ? config.recipients.find((x) => x.siret === inv.buyerSiret) : undefined;
  if (r) return r.recepteurId;
  return inv.buyerSiret ? `SIRET ${inv.buyerSiret}` : '(unknown)';
}

export function recipientName(config: Config, recepteurId: string): string | undefined {
  for (const r of config.recipients) {
    if (r.recepteurId === recepteurId) return r.name;
    if (r.moe?.recepteurId === recepteurId) return `MOE of ${r.name ?? r.recepteurId}`;
  }
  return undefined;
}

export interface Summary {
  flowStatuses: ReconcileReport['flowStatuses'];
  totals: ReconcileReport['totals'];
  byPartner: ReconcileReport['byPartner'];
  byRecipient: ReconcileReport['byRecipient'];
  hours: HourVolume[];
}

/** An invoice the operator rejected on the day, with the partner that deposited it. */
export interface OperatorRejection {
  partner: string;
  invoice: InvoiceRec;
}

export function summarize(config: Config, files: FileRec[], alreadyProcessed: Map<string, number>, hours: DayHours, rejections: readonly OperatorRejection[] = []): Summary {
  const totalFiles = emptyFileCounts();
  const totalInv = emptyInvoiceCounts();
  const totalMoney = new MoneyInOut();
  const partners = new Map<string, { files: FileCounts; invoices: InvoiceCounts }>();
  const recipients = new Map<string, { invoices: InvoiceCounts; money: MoneyInOut }>();
  const perHour: HourVolume[] = hours.slots.map(({ hour, start, utcOffset }) => ({ hour, start, utcOffset, files: { accepted: 0, partial: 0, refused: 0, suspended: 0, duplicate: 0, statusApplied: 0, lost: 0 }, invoices: 0 }));
  const partnerOf = (p: string) => {
    let x = partners.get(p);
    if (!x) partners.set(p, (x = { files: emptyFileCounts(), invoices: emptyInvoiceCounts() }));
    return x;
  };
  const recipientOf = (r: string) => {
    let x = recipients.get(r);
    if (!x) recipients.set(r, (x = { invoices: emptyInvoiceCounts(), money: new MoneyInOut() }));
    return x;
  };

  const flowStatuses: ReconcileReport['flowStatuses'] = { acknowledged: 0, rejected: 0, partial: 0, refusals: [], lookbackDays: config.reconcile.flowLookbackDays };
  for (const f of files) {
    const partner = f.receipt?.partner ?? f.outcome?.partner ?? 'default';
    for (const s of f.outcome?.flows ?? []) {
      if (s.verdict === 'acknowledged') flowStatuses.acknowledged++;
      else if (s.verdict === 'rejected' || s.verdict === 'partial') {
        flowStatuses[s.verdict]++;
        const r: FlowRefusal = { partner, file: f.outcome?.file ?? '', sha256: f.sha256, idFlux: s.idFlux, idStatut: s.idStatut, verdict: s.verdict, at: s.at };
        if (s.flow) r.flow = s.flow;
        if (s.reason) r.reason = s.reason;
        flowStatuses.refusals.push(r);
      }
    }
    const pc = partnerOf(partner);
    const fileKey: keyof FileCounts = f.outcome ? (FILE_KEY[f.outcome.outcome] ?? 'refused') : 'lost';
    for (const c of [totalFiles, pc.files]) {
      c.files++;
      c[fileKey]++;
    }
    const hour = hours.indexOf(f.receipt?.ts ?? f.outcome?.ts ?? '');
    const hv = hour !== undefined ? perHour[hour] : undefined;
    if (hv && fileKey !== 'files' && fileKey !== 'alreadyProcessed') hv.files[fileKey]++;
    if (!f.outcome) continue;
    const status = isStatusFlow(f);
    for (const inv of f.outcome.invoices) {
      const rc = recipientOf(recipientKey(config, inv));
      if (status) {
        const keys: (keyof InvoiceCounts)[] = inv.outcome === 'status' ? (inv.state === 'SUSPENDUE' ? ['statusApplied', 'statusSuspended'] : ['statusApplied']) : ['statusRefused'];
        for (const c of [totalInv, pc.invoices, rc.invoices]) for (const k of keys) c[k]++;
        continue;
      }
      const k = INVOICE_KEY[inv.outcome];
      for (const c of [totalInv, pc.invoices, rc.invoices]) {
        c.invoices++;
        if (k) c[k]++;
      }
      if (hv) hv.invoices++;
      for (const m of [totalMoney, rc.money]) {
        m.in.add(inv);
        if (EMITTED.has(inv.outcome)) m.out.add(inv);
      }
    }
  }
  // counted, not only named in a note: a day's figures must say what the operator decided
  for (const r of rejections) {
    for (const c of [totalInv, partnerOf(r.partner).invoices, recipientOf(recipientKey(config, r.invoice)).invoices]) c.rejectedByOperator++;
  }
  for (const [p, n] of alreadyProcessed) {
    partnerOf(p).files.alreadyProcessed += n;
    totalFiles.alreadyProcessed += n;
  }
  const partnerName = (id: string) => config.partners.find((p) => p.id === id)?.name;
  flowStatuses.refusals.sort((a, b) => cmp(a.partner, b.partner) || cmp(a.file, b.file) || cmp(a.idFlux, b.idFlux) || cmp(a.idStatut, b.idStatut));
  return {
    flowStatuses,
    totals: { files: totalFiles, invoices: totalInv, amounts: totalMoney.amounts() },
    byPartner: [...partners.entries()].sort((a, b) => cmp(a[0], b[0])).map(([partner, c]) => ({ partner, name: partnerName(partner), ...c })),
    byRecipient: [...recipients.entries()].sort((a, b) => cmp(a[0], b[0])).map(([recepteurId, c]) => ({ recepteurId, name: recipientName(config, recepteurId), invoices: c.invoices, amounts: c.money.amounts() })),
    hours: perHour,
  };
}
