/**
 * Counts and money: per partner, per recipient, per hour, and the day's totals, from the
 * compact file records. Amounts are summed in decimal (big.js), never in binary floats.
 */
import { Big, dec, fractionDigits } from '../model/decimal';
import type { Config } from '../config/config';
import { cmp } from './anomalies';
import type { FileRec, InvoiceRec } from './collect';
import type { LocalHours } from './day';
import type { AmountPair, Amounts, FileCounts, FlowRefusal, HourVolume, InvoiceCounts, ReconcileReport } from './types';

export function emptyFileCounts(): FileCounts {
  return { files: 0, accepted: 0, partial: 0, refused: 0, suspended: 0, duplicate: 0, statusApplied: 0, lost: 0, alreadyProcessed: 0 };
}

export function emptyInvoiceCounts(): InvoiceCounts {
  return { invoices: 0, accepted: 0, refused: 0, suspended: 0, completed: 0, recycled: 0, duplicate: 0, statusApplied: 0, statusSuspended: 0, statusRefused: 0 };
}


class Money {
  n = 0;
  ht = new Big(0);
  ttc = new Big(0);
  scale = 2;
  /** invoices with an amount given that is not a number: not summed, and said */
  unreadable = 0;
  add(ht: string | undefined, ttc: string | undefined): void {
    this.n++;
    if ([ht, ttc].some((v) => v !== undefined && v.trim() !== '' && !dec(v))) this.unreadable++;
    this.ht = this.plus(this.ht, ht);
    this.ttc = this.plus(this.ttc, ttc);
  }
  private plus(acc: Big, v: string | undefined): Big {
    const d = dec(v);
    if (!d) return acc;
    this.scale = Math.max(this.scale, fractionDigits(v as string));
    return acc.plus(d);
  }
  pair(): AmountPair {
    return { invoices: this.n, ht: this.ht.toFixed(this.scale), ttc: this.ttc.toFixed(this.scale), ...(this.unreadable ? { unreadable: this.unreadable } : {}) };
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

export function summarize(config: Config, files: FileRec[], alreadyProcessed: Map<string, number>, hours: LocalHours): Summary {
  const totalFiles = emptyFileCounts();
  const totalInv = emptyInvoiceCounts();
  const totalMoney = new MoneyInOut();
  const partners = new Map<string, { files: FileCounts; invoices: InvoiceCounts }>();
  const recipients = new Map<string, { invoices: InvoiceCounts; money: MoneyInOut }>();
  const perHour: HourVolume[] = Array.from({ length: 24 }, (_, hour) => ({ hour, files: { accepted: 0, partial: 0, refused: 0, suspended: 0, duplicate: 0, statusApplied: 0, lost: 0 }, invoices: 0 }));
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
    const hour = hours.hourOf(f.receipt?.ts ?? f.outcome?.ts ?? '');
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
        m.in.add(inv.montantHT, inv.montantTTC);
        if (EMITTED.has(inv.outcome)) m.out.add(inv.montantHT, inv.montantTTC);
      }
    }
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
