/**
 * The flows a receiver refused, found again in the journal: which output it was, when and from
 * which inbound file it was sent, and the invoices it carried. A worker can only match a flow
 * status to its flow while the flow is still in the outbox, and an SFTP transfer usually takes
 * it away first; the nightly report is where an operator reads refusals, so it looks them up in
 * the journal of the last `reconcile.flowLookbackDays` days (only lines whose text holds one of
 * the flow ids are parsed: a refusal is rare, a day of journal is large).
 */
import type { JournalLine } from '../journal/journal';
import { outputNamesFlow } from '../emit/flow-name';
import { addDays } from './day';
import { readJournalDayStream } from './read-journal';
import type { AnomalyInvoice, SentFlow } from './types';

/** At most this many invoices named per flow (a pivot of thousands is told by its count). */
export const MAX_INVOICES_PER_FLOW = 20;

/** The days from `lookbackDays` before `date` to `date`, newest first (a flow is refused after it is sent). */
export function lookbackDays(date: string, lookbackDays: number): string[] {
  const days: string[] = [];
  for (let i = 0; i <= lookbackDays; i++) days.push(addDays(date, -i));
  return days;
}

/**
 * For each flow id (or output file name, or output path) of `wanted`, the output the journal of
 * `days` says chorus-flux wrote under that name. Ids not found are absent from the map.
 */
export async function findSentFlows(journalDir: string, wanted: readonly string[], days: readonly string[]): Promise<Map<string, SentFlow>> {
  const found = new Map<string, SentFlow>();
  const open = new Set(wanted.filter((w) => w.length > 0));
  for (const day of days) {
    if (open.size === 0) break;
    const needles = [...open].map((w) => JSON.stringify(w).slice(1, -1));
    await readJournalDayStream(journalDir, day, {
      accept: (text) => (text.includes('"event":"outcome"') || text.includes('"event":"already-processed"') || text.includes('"event":"invoice-rejected"')) && needles.some((n) => text.includes(n)),
      onLine: (l: JournalLine) => {
        if (l.event !== 'outcome' && l.event !== 'already-processed' && l.event !== 'invoice-rejected') return;
        for (const o of l.outputs ?? []) {
          if (o.kind !== 'pivot' && o.kind !== 'statut') continue;
          for (const w of open) {
            if (!outputNamesFlow(o.path, w)) continue;
            const carried = l.event === 'outcome' || l.event === 'invoice-rejected' ? l.invoices.filter((i) => !o.idCpro || (i.idCpro !== undefined && o.idCpro.includes(i.idCpro))) : [];
            const invoices: AnomalyInvoice[] = carried.slice(0, MAX_INVOICES_PER_FLOW).map((i) => {
              const r: AnomalyInvoice = {};
              if (i.idCpro !== undefined) r.idCpro = i.idCpro;
              if (i.number !== undefined) r.number = i.number;
              if (i.supplierId !== undefined) r.supplierId = i.supplierId;
              return r;
            });
            // the outcome line that wrote it wins over a later re-drop's already-processed line
            const prev = found.get(w);
            if (prev && prev.invoiceCount > 0) continue;
            found.set(w, { day, output: o.path, file: l.file, partner: l.partner, sha256: l.sha256, sentAt: l.ts, invoiceCount: o.idCpro?.length ?? carried.length, invoices });
          }
        }
      },
    });
    for (const w of found.keys()) open.delete(w);
  }
  return found;
}

/** One line on where a refused flow came from and what it carried (the command's output and the HTML). */
export function sentFlowText(sent: SentFlow | undefined, lookbackDays: number): string {
  if (!sent) return `not found in the journal of the last ${lookbackDays} day(s) before the report's day: not a flow chorus-flux sent, or an older one (reconcile.flowLookbackDays)`;
  const named = sent.invoices.map((i) => [i.number ?? '?', i.idCpro !== undefined ? `IdCPRO ${i.idCpro}` : undefined].filter(Boolean).join(' '));
  const more = sent.invoiceCount > named.length ? `, and ${sent.invoiceCount - named.length} more` : '';
  const what = sent.invoiceCount === 0 ? 'no invoice' : `${sent.invoiceCount} invoice(s): ${named.join(', ')}${more}`;
  return `written ${sent.sentAt} from ${sent.file}; ${what}`;
}
