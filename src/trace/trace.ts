/**
 * What happened to a file, an invoice or a flow: the journal lines that concern it, over a range
 * of days, and the lifecycle of the invoices they name. The question an operator is asked
 * ("the supplier sent F-2026-0101 on Tuesday: where is it?", "the SI refused this pivot: which
 * invoices were in it?") answered from the durable record, not from the logs.
 *
 * `what` is matched against a file's SHA-256 (or its first 12+ hex digits), its name or path
 * in the inbox, an invoice number or IdCPRO it carried, an output it wrote (path, file name or
 * flow id), the sender's own id for the flow (its IdFlx), or a flow id a partner's flow status named. Two passes over the journal: the first
 * finds the files concerned, the second takes every line of theirs and every flow status about
 * their outputs; memory holds those lines only.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JournalLine } from '../journal/journal';
import type { LifecycleRecord } from '../lifecycle/record';
import type { LifecycleStore } from '../lifecycle/store';
import { outputNamesFlow } from '../emit/flow-name';
import { isDay } from '../reconcile/day';
import { readJournalDayStream, type LineRef } from '../reconcile/read-journal';

export interface TracedLine {
  line: JournalLine;
  /** journal/<day>/<writer>.jsonl:<n> */
  ref: string;
}

export interface TracedFile {
  sha256: string;
  /** every journal line of this content, in time order */
  lines: TracedLine[];
  /** flow statuses partners sent about this file's outputs (the outcome lines that carried them) */
  flowStatuses: TracedLine[];
}

export interface TraceResult {
  /** the journal days read */
  days: string[];
  files: TracedFile[];
  /** the lifecycle of every invoice the files carried (supplier + number) */
  invoices: LifecycleRecord[];
  /** what could not be read (a damaged lifecycle record) */
  notes: string[];
  /** the inbox trees `run` took files from in the days read (their `start` lines name them) */
  runInboxes: string[];
}

export interface TraceOptions {
  journalDir: string;
  lifecycle: LifecycleStore;
  /** first and last day to read (YYYY-MM-DD, inclusive); undefined: no bound */
  since?: string;
  until?: string;
}

type Outcome = Extract<JournalLine, { event: 'outcome' }>;

const HEX = /^[0-9a-f]{12,64}$/;

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}


/** Whether a journal line concerns `what` by itself (pass 1). */
function concerns(l: JournalLine, what: string): boolean {
  const sha = (l as { sha256?: string }).sha256;
  // a digest as PowerShell's Get-FileHash prints it, in capitals
  const hex = HEX.test(what.toLowerCase()) ? what.toLowerCase() : undefined;
  if (sha && (sha === what || (hex && sha.startsWith(hex)))) return true;
  // a name uploaded from a Mac (decomposed accents) typed composed, or the other way round
  const file = (l as { file?: string }).file?.normalize('NFC');
  const name = what.normalize('NFC');
  if (file && (file === name || baseName(file) === name)) return true;
  // a path in the inbox as the operator sees it (/srv/in/op-alpha/f.xml): the journal has op-alpha/f.xml
  if (file && name.includes('/') && name.endsWith(`/${file}`)) return true;
  if (l.event === 'outcome' || l.event === 'already-processed' || l.event === 'invoice-rejected') {
    // an output by its name, or by a path as run and reconcile print it (/srv/out/pivot/…): the journal has pivot/…
    for (const o of l.outputs ?? []) if (outputNamesFlow(o.path, what) || (what.includes('/') && what.endsWith(`/${o.path}`))) return true;
  }
  // the operator's rejection names its invoice (its deposit may be older than the days read)
  if (l.event === 'invoice-rejected') return l.invoices.some((i) => i.number === what || i.idCpro === what);
  if (l.event !== 'outcome') return false;
  if (l.idFlx !== undefined && l.idFlx === what.slice(0, 200)) return true; // a partner's own id for the flow it sent (journaled cut to 200)
  for (const i of l.invoices) if (i.number === what || i.idCpro === what || i.sourceIdCpro === what) return true;
  for (const f of l.flows ?? []) if (f.idFlux === what || (f.flow && outputNamesFlow(f.flow, what))) return true;
  return false;
}

async function journalDays(journalDir: string, since?: string, until?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(journalDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((d) => isDay(d) && (!since || d >= since) && (!until || d <= until)).sort();
}

async function eachLine(journalDir: string, days: string[], accept: (text: string) => boolean, fn: (l: JournalLine, ref: LineRef) => void, onDamaged?: (ref: LineRef, text: string) => void): Promise<void> {
  for (const day of days) await readJournalDayStream(journalDir, day, { onLine: fn, accept, onDamaged });
}

/** `s` as it is written inside a JSON string (a line holding it holds this). */
function asJson(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

export async function trace(what: string, opts: TraceOptions): Promise<TraceResult> {
  const needle = what.trim();
  const days = await journalDays(opts.journalDir, opts.since, opts.until);
  // pass 1: the contents concerned
  const shas = new Set<string>();
  const runInboxes = new Set<string>();
  // only the lines whose text holds the needle are parsed (and the runs' start lines, which name
  // their inboxes): a day of 100,000 files (400,000 lines, 114 MB) is searched in about 3 s, both passes
  // a path is searched by its file name (the journal holds the path relative to the inbox)
  const written = asJson(needle.includes('/') ? baseName(needle) : needle);
  // the other forms the text may hold it in: a digest in small letters, a name composed or decomposed
  const forms = [...new Set([written, written.toLowerCase(), written.normalize('NFC'), written.normalize('NFD')])].filter((f) => f === written || HEX.test(f) || /[^\x00-\x7f]/.test(f));
  const holds = (text: string) => forms.some((f) => text.includes(f));
  const damaged: string[] = [];
  await eachLine(
    opts.journalDir,
    days,
    (text) => holds(text) || text.includes('"event":"start"'),
    (l) => {
      if (l.event === 'start') {
        if (l.mode === 'run' && l.inbox && path.isAbsolute(l.inbox)) runInboxes.add(path.normalize(l.inbox));
        return;
      }
      const sha = (l as { sha256?: string }).sha256;
      if (sha && concerns(l, needle)) shas.add(sha);
    },
    // a line cut by a crash or damaged on disk that holds what is looked for: said, not passed over
    (ref, text) => {
      if (holds(text)) damaged.push(`${ref.file}:${ref.line}`);
    },
  );
  // pass 2: every line of theirs; then the flow statuses about what they wrote
  const files = new Map<string, TracedFile>();
  const statusLines: TracedLine[] = [];
  const shaList = [...shas];
  await eachLine(opts.journalDir, days, (text) => text.includes('"flows":') || shaList.some((sha) => text.includes(sha)), (l, ref) => {
    const sha = (l as { sha256?: string }).sha256;
    const traced: TracedLine = { line: l, ref: `${ref.file}:${ref.line}` };
    if (sha && shas.has(sha)) {
      let f = files.get(sha);
      if (!f) files.set(sha, (f = { sha256: sha, lines: [], flowStatuses: [] }));
      f.lines.push(traced);
    }
    if (l.event === 'outcome' && l.flows?.length) statusLines.push(traced);
  });
  for (const f of files.values()) {
    const written = f.lines.flatMap((t) => (t.line.event === 'outcome' || t.line.event === 'already-processed' || t.line.event === 'invoice-rejected' ? (t.line.outputs ?? []) : [])).filter((o) => o.kind === 'pivot' || o.kind === 'statut');
    f.flowStatuses = statusLines.filter((t) => (t.line as Outcome).flows?.some((s) => (s.flow && written.some((o) => o.path === s.flow)) || written.some((o) => outputNamesFlow(o.path, s.idFlux))));
    f.lines.sort((a, b) => (a.line.ts < b.line.ts ? -1 : a.line.ts > b.line.ts ? 1 : 0));
  }
  // the invoices they carried, as the lifecycle holds them now
  const keys = new Map<string, { supplierId: string; number: string }>();
  for (const f of files.values()) {
    for (const t of f.lines) {
      if (t.line.event !== 'outcome' && t.line.event !== 'invoice-rejected') continue;
      for (const i of t.line.invoices) if (i.supplierId && i.number) keys.set(`${i.supplierId}|${i.number}`, { supplierId: i.supplierId, number: i.number });
    }
  }
  const invoices: LifecycleRecord[] = [];
  const notes: string[] = [];
  if (damaged.length) notes.push(`${damaged.length} journal line(s) that mention "${needle}" cannot be read (cut by a crash, or damaged): ${damaged.slice(0, 5).join(', ')}${damaged.length > 5 ? ', …' : ''}; the reconciliation of their day says more (docs/OPERATIONS.md)`);
  for (const { supplierId, number } of keys.values()) {
    // the records of the issue years these files carried (a key-less line: refused before its year was read)
    const wanted = new Set([...files.values()].flatMap((f) => f.lines.flatMap((t) => (t.line.event === 'outcome' || t.line.event === 'invoice-rejected' ? t.line.invoices.filter((i) => i.supplierId === supplierId && i.number === number).map((i) => i.key) : []))));
    try {
      for (const r of await opts.lifecycle.read(supplierId, number)) if (wanted.has(r.key)) invoices.push(r);
    } catch (e) {
      notes.push(`the lifecycle record of invoice ${number} of supplier ${supplierId} cannot be read: ${(e as Error).message}`);
    }
  }
  const ordered = [...files.values()].sort((a, b) => (a.lines[0]?.line.ts ?? '').localeCompare(b.lines[0]?.line.ts ?? ''));
  return { days, files: ordered, invoices, notes, runInboxes: [...runInboxes].sort() };
}
