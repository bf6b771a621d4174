/**
 * `chorus-flux trace <what> [--out <dir>] [--config <file>] [--since <day>] [--until <day>] [--json]`
 *
 * What happened to a file, an invoice or a flow (src/trace/trace.ts): every journal line of
 * the files concerned, the flow statuses partners sent about their outputs, and the invoices'
 * lifecycle as it is now; and the files of that name still waiting in an inbox or in
 * processing/, with why. Exit 0 something found, 1 nothing found, 2 could not run.
 */
import { printable } from '../../util/printable';
import { existsSync, readdirSync } from 'node:fs';
import { loadConfig, outputRootOrigin } from '../../config/config';
import type { JournalOutput } from '../../journal/events';
import type { JournalLine } from '../../journal/journal';
import { addDays } from '../../reconcile/day';
import { LifecycleStore } from '../../lifecycle/store';
import { statePaths } from '../../runner/deps';
import { inboxesToScan } from '../../reconcile/reconcile-day';
import { strayCandidates, strayOwner } from '../../ingest/stray-folders';
import { trace, type TraceResult } from '../../trace/trace';
import { explainFailures, findWaiting, type WaitingFile } from '../../trace/waiting';
import { dayOf } from '../../util/clock';
import { UsageError } from '../../util/usage-error';
import { TRACE_DEFAULT_DAYS } from './trace-days';

export interface TraceCommandOptions {
  config?: string;
  out?: string;
  since?: string;
  until?: string;
  json?: boolean;
}

export { TRACE_DEFAULT_DAYS };

const cut = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** An output as written: its kind, its path, and the start of its SHA-256 (the copy to restore from a backup is the one that has it). */
const outputLine = (o: JournalOutput) => `    ${o.kind.padEnd(7)} ${o.path}  sha256 ${o.sha256.slice(0, 12)}`;

/** One journal line, as a line of text (the outcome's invoices and outputs below it). */
function describe(l: JournalLine): string[] {
  switch (l.event) {
    case 'received':
      return [`received from ${l.partner}, ${l.bytes} bytes (uploaded ${l.receivedAt})`];
    case 'claimed':
      return [`claimed by the watcher into ${l.processing}`];
    case 'requeued':
      if (l.by === 'retry') return [`its failed job queued again by the operator (chorus-flux retry${l.sentAt ? `, sent at ${l.sentAt}: ${l.interrupted ? 'the command was stopped before it journaled it, or could not journal it' : 'Redis never answered it, and ran it'}` : ''})${l.failed ? `: ${cut(l.failed)}` : ''}`];
      if (l.by === 'dashboard' && l.completed !== undefined) return [`its completed job (outcome ${l.completed}) queued again from the dashboard: the worker ends on that outcome, its file done`];
      if (l.by === 'dashboard') return [`its failed job queued again from the dashboard${l.failed ? `: ${cut(l.failed)}` : ''}`];
      return [`found again in processing/ and queued again`];
    case 'already-processed':
      return [`already processed (${l.previous} at ${l.previousAt})${l.previousPartner ? `, first sent by ${l.previousPartner}: this partner was told` : ''}: nothing emitted again`, ...(l.outputs ?? []).map(outputLine)];
    case 'system-error':
      return [`system error: ${cut(l.message)}`];
    case 'reopened':
      return [`reopened by ${l.by} (chorus-flux reprocess), the refusal of ${l.refusedDay} kept in ${l.original}: ${cut(l.reason)}`, `    its copy put back into the inbox of ${l.partner}: received next as a new attempt`];
    case 'invoice-rejected':
      return [
        `rejected by the operator (chorus-flux reject) at ${l.rejectedAt}`,
        ...l.invoices.map((i) => `    invoice ${i.number ?? '?'} (supplier ${i.supplierId ?? '?'}), IdCPRO ${i.idCpro ?? '?'} → ${i.state ?? 'REJETEE'}${i.reason ? `: ${cut(i.reason)}` : ''}`),
        ...l.outputs.map(outputLine),
      ];
    case 'outcome': {
      const out = [`outcome: ${l.outcome}${l.kind ? ` (${l.kind}${l.idFlx ? `, its sender's flow id ${l.idFlx}` : ''})` : ''}, ${l.invoices.length} invoice(s), in ${l.ms} ms`];
      for (const f of l.findings ?? []) out.push(`    ${f.severity === 'fatal' ? 'FATAL  ' : 'warning'} ${f.rule}: ${cut(f.message)}`);
      for (const i of l.invoices) {
        out.push(`    invoice ${i.number ?? '?'} (supplier ${i.supplierId ?? '?'}): ${i.outcome}${i.idCpro ? `, IdCPRO ${i.idCpro}` : ''}${i.sourceIdCpro ? ` (deposited with IdCPRO ${i.sourceIdCpro})` : ''}${i.state ? (i.outcome === 'refused' ? `, still ${i.state}` : ` → ${i.state}`) : ''}`);
        for (const f of i.findings ?? []) out.push(`      ${f.severity === 'fatal' ? 'FATAL  ' : 'warning'} ${f.rule}: ${cut(f.message)}`);
      }
      for (const f of l.flows ?? []) out.push(`    flow status ${f.idStatut} (${f.verdict}) about ${f.flow ?? f.idFlux}${f.reason ? `: ${cut(f.reason)}` : ''}`);
      for (const o of l.outputs) out.push(outputLine(o));
      return out;
    }
    default:
      return [l.event];
  }
}

/** Journal days outside the range read: where a search that found nothing could look next. */
export interface JournalBeyond {
  /** The first journal day, when it is before --since. */
  earlier?: string;
  /** The last journal day, when it is after --until. */
  later?: string;
}

/** The first and last journal days outside [since, until] (until: none = the last there is). */
export function journalBeyond(days: readonly string[], since: string, until?: string): JournalBeyond {
  const sorted = days.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return { earlier: first !== undefined && first < since ? first : undefined, later: until !== undefined && last !== undefined && last > until ? last : undefined };
}

// the hint said "try --since for older days" even when the days missed were after --until,
// or when the whole journal had been read
function beyondHint(b: JournalBeyond): string {
  const hints = [
    ...(b.earlier ? [`the journal goes back to ${b.earlier}: try --since ${b.earlier}`] : []),
    ...(b.later ? [`the journal goes on to ${b.later}: try --until ${b.later}`] : []),
  ];
  return hints.length ? `; ${hints.join('; ')}` : '';
}

function journalDays(journalDir: string): string[] {
  try {
    return readdirSync(journalDir);
  } catch {
    return []; // not a folder we can read: trace itself says so
  }
}

export function formatTrace(what: string, r: TraceResult, waiting: WaitingFile[] = [], beyond: JournalBeyond = {}): string {
  const range = r.days.length ? `${r.days[0]} to ${r.days[r.days.length - 1]}` : 'no journal day';
  const waits = waiting.flatMap((w) => [`  ${w.where === 'inbox' ? (w.partner !== undefined ? `in the inbox of ${w.partner}` : 'in an inbox folder that names no partner') : `in processing/ for ${w.partner}`}: ${w.path}, ${w.bytes} bytes, modified ${w.mtime}`, `    ${w.why}`]);
  if (r.files.length === 0) {
    const none = [`nothing about "${what}" in the journal (${range})${waiting.length ? '' : beyondHint(beyond)}`];
    if (waiting.length) none.push('not processed yet:', ...waits);
    for (const n of r.notes) none.push(`note: ${n}`);
    return `${none.map(printable).join('\n')}\n`;
  }
  const out: string[] = [`"${what}": ${r.files.length} file(s) in the journal (${range})`];
  for (const f of r.files) {
    const named = f.lines.map((t) => t.line as { file?: string; partner?: string }).filter((l) => l.file !== undefined);
    // the first line that names its partner (a `system-error` line names none)
    const first = named.find((l) => l.partner !== undefined) ?? named[0];
    // the same bytes deposited under other names (a copy, a re-upload, another partner's): each
    // line of theirs says which, where they read as more lines of the first file's
    const as = (l: { file?: string; partner?: string }) => `${l.file}${l.partner && l.partner !== first?.partner ? ` from ${l.partner}` : ''}`;
    // a line without a partner (a worker's `system-error`) is the first file's when its name is:
    // it read as a copy of the file under its own name ("the same content as" itself)
    const isFirst = (l: { file?: string; partner?: string }) => l.file === first?.file && (l.partner === undefined || l.partner === first?.partner);
    const others = [...new Set(named.filter((l) => !isFirst(l)).map(as))];
    out.push('', `file ${first?.file ?? '?'} (partner ${first?.partner ?? '?'})${others.length ? `, and the same content as ${others.join(', ')}` : ''}, content ${f.sha256}`);
    for (const t of f.lines) {
      const [head, ...rest] = describe(t.line);
      const l = t.line as { file?: string; partner?: string };
      const which = others.length && l.file !== undefined && !isFirst(l) ? ` — ${as(l)}` : '';
      out.push(`  ${t.line.ts}  ${head}${which}    [${t.ref}]`, ...rest.map((x) => `  ${x}`));
    }
    if (f.flowStatuses.length) {
      out.push('  what partners said of its flows:');
      for (const t of f.flowStatuses) {
        const l = t.line as Extract<JournalLine, { event: 'outcome' }>;
        for (const s of l.flows ?? []) out.push(`  ${s.at}  ${l.partner}: ${s.idStatut} ${s.verdict} ${s.flow ?? s.idFlux}${s.reason ? ` — ${cut(s.reason)}` : ''}    [${l.file}, ${t.ref}]`);
      }
    }
  }
  if (r.invoices.length) {
    out.push('', 'invoices, as their lifecycle holds them now:');
    for (const i of r.invoices) {
      out.push(`  ${i.number} of supplier ${i.supplierId}${i.issueDate ? `, issued ${i.issueDate}` : ''}: IdCPRO ${i.idCpro}, ${i.state}${i.recepteurId ? `, to ${i.recepteurId}` : ''}`);
      // a step told late was forwarded, the state kept: said, or the history reads as a step back
      for (const h of i.history) out.push(`    ${h.at}  ${h.state} by ${h.by}${h.siAt ? ` (its Horodatage ${h.siAt})` : ''}${h.late ? ' told after a newer status: forwarded, the state kept' : ''}${h.file ? ` (${h.file})` : ''}${h.reason ? `: ${cut(h.reason, 120)}` : ''}`);
    }
  }
  if (waiting.length) out.push('', 'not processed yet:', ...waits);
  for (const n of r.notes) out.push(`note: ${n}`);
  // each entry one line: a partner's file name or reason holding a newline wrote lines of its own
  return `${out.map(printable).join('\n')}\n`;
}

export async function traceCommand(what: string, opts: TraceCommandOptions, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (!what.trim()) throw new UsageError('give what to trace: a file name, a SHA-256, an invoice number, an IdCPRO or a flow');
  if (opts.out === '') throw new UsageError('--out is empty: give the output root whose journal to read');
  const config = loadConfig(opts.config, { out: opts.out });
  const paths = statePaths(config);
  const journalDir = paths.journal;
  if (!existsSync(journalDir)) throw new UsageError(`${journalDir} does not exist: nothing was ever processed with this output root (${outputRootOrigin(config, opts.out !== undefined)})`);
  // the days before --until when it is given alone: from today's, an --until 31 days back was
  // refused as "before --since", a --since the operator never gave
  const today = dayOf(new Date(), config.timezone);
  const since = opts.since ?? addDays(opts.until && opts.until < today ? opts.until : today, -TRACE_DEFAULT_DAYS);
  if (opts.until && opts.until < since) throw new UsageError(`--until ${opts.until} is before --since ${since}`);
  const r = await trace(what, { journalDir, lifecycle: new LifecycleStore(paths.invoices), since, until: opts.until });
  // the same name still waiting in an inbox or in processing/ (not met by the journal yet)
  // and in the folders beside the inboxes that watch never reads (ingest/stray-folders.ts)
  const places = [...inboxesToScan(config, new Set(r.runInboxes), r.notes), ...strayCandidates(config).map((folder) => ({ root: folder, ownerFor: () => strayOwner(config, folder) }))];
  const waiting = explainFailures(await findWaiting(what.trim(), config, places), r.files, config.source);
  write(opts.json ? `${JSON.stringify({ what, ...r, waiting }, null, 2)}\n` : formatTrace(what, r, waiting, journalBeyond(journalDays(journalDir), since, opts.until)));
  return r.files.length + waiting.length > 0 ? 0 : 1;
}
