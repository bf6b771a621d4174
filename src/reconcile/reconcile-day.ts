/**
 * The nightly reconciliation of one day (issue 8): the journal is the source of truth,
 * cross-checked against the folders (archive/, error/, outboxes, processing, inboxes) and
 * the lifecycle store. `reconcileDay` is what the CLI and the scheduled job call; it never
 * throws: exit code 0 clean, 1 anomalies, 2 could not run.
 *
 * docs/RECONCILIATION.md explains what is counted and each anomaly.
 */
import { existsSync, lstatSync, promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isBundledExample, type Config } from '../config/config';
import { sweepTempFiles, writeFileAtomic } from '../emit/atomic-write';
import { sweepStateAndDay } from '../emit/sweep';
import type { JournalLine } from '../journal/journal';
import { statePaths } from '../runner/deps';
import { ProcessedFiles } from '../state/processed-files';
import { dayOf, systemClock, type Clock } from '../util/clock';
import { cmp, duplicateIdCpro, sequenceAnomalies, sortAnomalies, stripUndefined } from './anomalies';
import { JournalCollector, refOf, type FileRec, type InvoiceRec, type OutcomeRec, type OutputRec } from './collect';
import { addDays, dayEnd, DayHours, isDay } from './day';
import { suspensionAge } from '../lifecycle/overdue';
import { lifecycleRecords } from './lifecycle-scan';
import { readJournalDayStream, refText, writerFiles, type LineRef } from './read-journal';
import { writeCsvFile } from './report-csv';
import { renderHtml } from './report-html';
import { renderJson } from './report-json';
import { hashFile, hashOf, pivotInvoices, scanFolder, scanInboxDay, scanOutputCandidates, unreadableCode, unreadableOf, unreadableWhy, type Candidate, type FolderFile } from './scan-folders';
import { claimTimeMs, parseClaimed } from '../ingest/claim';
import { ownerOf, type FileOwner } from '../ingest/partner-of';
import { receivedMs } from '../ingest/receipt-time';
import { isIgnoredName, openPath, scanInbox, type SkippedEntry } from '../ingest/scan';
import { strayFolders } from '../ingest/stray-folders';
import { findSentFlows, lookbackDays } from './sent-flows';
import { isStatusFlow, summarize } from './summarize';
import { ANOMALY_TYPES, type Anomaly, type AnomalyInvoice, type AnomalyType, type ReconcileReport } from './types';

/** Whose an inbox file is, in a sentence: "partner op-alpha", or the folder that names no partner. */
function whose(o: FileOwner): string {
  return o.partner !== undefined ? `partner ${o.partner}` : `folder "${o.folder}", which names no partner`;
}

/** The sentence for an inbox entry the scan never takes. */
function skippedSentence(abs: string, partner: string, e: SkippedEntry): string {
  if (e.why === 'symbolic link') return `${abs} (${partner}) is a symbolic link: chorus-flux never takes one (it could point outside the inbox); put the file itself there, or remove the link.`;
  if (e.why === 'not a regular file') return `${abs} (${partner}) is not a regular file (a FIFO, a socket or a device): chorus-flux never takes it; remove it.`;
  if (e.why.startsWith('not readable')) return `${abs} (${partner}) ${unreadableWhy(e.why.slice('not readable ('.length, -1))}, or its folder's: it cannot be processed; ask the partner to upload it again readable, or give chorus-flux read access to it.`;
  return `${abs} (${partner}): ${e.why}; the files under it are not taken until it can be read.`;
}

export interface ReconcileDayOptions {
  config: Config;
  /** YYYY-MM-DD; default: the day before `clock.now()` in the configured time zone (the nightly job) */
  date?: string;
  /** where the report files go; default <paths.out>/reports */
  reportDir?: string;
  clock?: Clock;
  /** write the three report files (default true) */
  write?: boolean;
}

export interface ReconcileDayResult {
  exitCode: 0 | 1 | 2;
  date?: string;
  report?: ReconcileReport;
  files?: { json: string; csv: string; html: string };
  /** why it could not run (exit code 2) */
  error?: string;
  /** temp files of crashed writers removed from state/ and the day's archive/ and error/ (when the reports are written) */
  swept?: number;
}

/** Something that makes the reconciliation impossible (exit 2), as opposed to an anomaly. */
export class CannotReconcile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotReconcile';
  }
}

export interface Reconciliation {
  report: ReconcileReport;
  /** the CSV rows (one per invoice, one per file without invoices) as cells in CSV_COLUMNS order, in report order, made on demand */
  rows(): Generator<string[]>;
}

const MAX_INVOICES_PER_ANOMALY = 20;

export function defaultReconcileDate(clock: Clock, timeZone: string): string {
  return addDays(dayOf(clock.now(), timeZone), -1);
}

/** Where the reports go unless told otherwise: `<paths.out>/reports`. */
export function defaultReportDir(config: Config): string {
  return path.join(config.paths.out, 'reports');
}

export function reportPaths(reportDir: string, date: string): { json: string; csv: string; html: string } {
  const base = path.join(reportDir, `reconcile-${date}`);
  return { json: `${base}.json`, csv: `${base}.csv`, html: `${base}.html` };
}

export async function reconcileDay(opts: ReconcileDayOptions): Promise<ReconcileDayResult> {
  const clock = opts.clock ?? systemClock;
  let date: string | undefined;
  try {
    date = opts.date ?? defaultReconcileDate(clock, opts.config.timezone);
    const { report, rows } = await buildReconciliation(opts.config, date, clock, { dateGiven: opts.date !== undefined });
    const result: ReconcileDayResult = { exitCode: report.status === 'clean' ? 0 : 1, date, report };
    if (opts.write !== false) {
      // the nightly run is also when the state tree, too large to walk at every start, loses
      // the temp files, lock tokens and locks of processes that crashed (a report-only call changes nothing)
      const reportDir = opts.reportDir ?? defaultReportDir(opts.config);
      // and the reports' own folder: a reconciliation killed while writing one left its temp
      // file there, which only a start of `run` or of a worker swept (never `watch`'s nightly job)
      result.swept = (await sweepStateAndDay(opts.config, date)) + (await sweepTempFiles(reportDir));
      if (result.swept > 0) report.notes.push(`Removed ${result.swept} temporary or lock file(s) left under state/, the reports' folder or the day's archive/ and error/ by processes that crashed.`);
      const files = reportPaths(reportDir, date);
      // the JSON last: its presence says the day's reports are whole (the catch-up skips such a day)
      await writeCsvFile(files.csv, rows());
      await writeFileAtomic(files.html, renderHtml(report));
      await writeFileAtomic(files.json, renderJson(report));
      result.files = files;
    }
    return result;
  } catch (e) {
    const err = e as Error;
    return { exitCode: 2, date, error: err instanceof CannotReconcile ? err.message : `${err.name}: ${err.message}` };
  }
}

function invoiceRefs(list: InvoiceRec[], only?: string[]): AnomalyInvoice[] {
  const pick = only ? list.filter((i) => i.idCpro !== undefined && only.includes(i.idCpro)) : list;
  return pick.slice(0, MAX_INVOICES_PER_ANOMALY).map((i) => stripUndefined({ idCpro: i.idCpro, number: i.number, supplierId: i.supplierId, renvoi: i.renvoi }));
}

function inside(root: string, rel: string): string | undefined {
  const abs = path.resolve(root, rel);
  const r = path.relative(root, abs);
  return r === '' || r.startsWith('..') || path.isAbsolute(r) ? undefined : abs;
}

/** Tags anomalies onto files (by SHA-256) and invoices (by IdCPRO), for the CSV. */
class Tags {
  readonly bySha = new Map<string, Set<AnomalyType>>();
  readonly byId = new Map<string, Set<AnomalyType>>();
  private static add(m: Map<string, Set<AnomalyType>>, k: string | undefined, t: AnomalyType): void {
    if (!k) return;
    const s = m.get(k) ?? new Set();
    s.add(t);
    m.set(k, s);
  }
  sha(sha: string | undefined, t: AnomalyType): void {
    Tags.add(this.bySha, sha, t);
  }
  ids(ids: readonly (string | undefined)[], t: AnomalyType): void {
    for (const id of ids) Tags.add(this.byId, id, t);
  }
}

/** What chorus-flux makes under an output root (reports/ and logs/ not: a wrong reconcile or run writes them anywhere). */
const OUTPUT_ROOT_MARKS = ['journal', 'state', 'pivot', 'statut', 'cdar', 'archive', 'error', 'processing'];

/** The outboxes a partner's transfer takes its files from (reconcile.transfersMoveOutputs). */
const TRANSFERRED_KINDS = new Set(['pivot', 'statut', 'cdar']);

/**
 * A folder with files but none of the folders chorus-flux makes is not an output root (an
 * inbox given by mistake): its report would be written into it, and could even read CLEAN.
 * Nor is an empty one: it was reconciled as a day with nothing to report, and the mount
 * point of an output volume that is not mounted is such a folder — every night CLEAN.
 */
async function refuseForeignFolder(outRoot: string): Promise<void> {
  const names = await fs.readdir(outRoot).catch((e: NodeJS.ErrnoException) => {
    throw new CannotReconcile(`cannot read the output root ${outRoot}: ${e.code ?? e.message}`);
  });
  if (names.length === 0) throw new CannotReconcile(`the output root ${outRoot} is empty: nothing was ever written there. A volume not mounted? (On a new install where nothing has run yet, there is nothing to reconcile.)`);
  if (OUTPUT_ROOT_MARKS.some((m) => names.includes(m))) return;
  throw new CannotReconcile(`${outRoot} has no journal/ (nor state/, pivot/, archive/, error/): it is not a chorus-flux output root; give the folder \`run --out\` or paths.out wrote to`);
}

/** Builds the report of `date` without writing anything. Throws CannotReconcile when it cannot run. */
/**
 * `dateGiven`: the day was asked for (--date, a catch-up), not taken as yesterday: one before
 * the first day of the journal is then refused. Yesterday on a first night (a watch started
 * after midnight) is a day with nothing to report.
 */
export async function buildReconciliation(config: Config, date: string, clock: Clock = systemClock, opts: { dateGiven?: boolean } = {}): Promise<Reconciliation> {
  if (!isDay(date)) throw new CannotReconcile(`--date must be a calendar date written YYYY-MM-DD, not "${date}"`);
  const outRoot = config.paths.out;
  try {
    if (!(await fs.stat(outRoot)).isDirectory()) throw new CannotReconcile(`the output root ${outRoot} is not a folder`);
  } catch (e) {
    if (e instanceof CannotReconcile) throw e;
    throw new CannotReconcile(`cannot read the output root ${outRoot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  await refuseForeignFolder(outRoot);
  const tz = config.timezone;
  const asOf = dayEnd(date, tz);
  const now = clock.now();
  // a day not begun has nothing to reconcile: a typo in the year would otherwise read CLEAN
  const today = dayOf(now, tz);
  if (date > today) throw new CannotReconcile(`--date ${date} has not begun yet (today is ${today} in ${tz}); nothing can be reconciled for it`);
  const judgedAt = now.getTime() < asOf.getTime() ? now : asOf;
  const stuckBefore = judgedAt.getTime() - config.reconcile.stuckProcessingMinutes * 60_000;
  const staleInInboxBefore = now.getTime() - config.reconcile.stuckProcessingMinutes * 60_000;
  const journalDir = statePaths(config).journal;
  const processed = new ProcessedFiles(config.paths.state);
  const anomalies: Anomaly[] = [];
  const tags = new Tags();
  const notes: string[] = [];
  const days = [addDays(date, -1), date, addDays(date, 1)];

  // 1. the journal of the day before, the day, the day after — streamed; the outputs each
  //    outcome lists are checked against the disk as they come (present, same SHA-256)
  let missing = 0;
  let tampered = 0;
  let taken = 0;
  const pending: { out: OutputRec; source: OutcomeRec }[] = [];
  const checkPending = async () => {
    for (const { out, source } of pending.splice(0)) {
      const abs = inside(outRoot, out.path);
      const got = abs ? await hashFile(abs) : undefined;
      const h = hashOf(got);
      // there, but not to be read (a partner's file with no permissions put in its place)
      const cannot = unreadableOf(got);
      if (h && h.sha256 === out.sha256) continue;
      // a transfer that moves the partners' files away leaves nothing to check but that it is gone
      if (!h && !cannot && abs && config.reconcile.transfersMoveOutputs && TRANSFERRED_KINDS.has(out.kind)) {
        taken++;
        continue;
      }
      const invs = invoiceRefs(source.invoices, out.kind === 'pivot' ? out.idCpro : undefined);
      const base = { file: source.file, sha256: source.sha256, partner: source.partner, output: out.path, journal: refOf(source), writer: source.writer, invoices: invs.length ? invs : undefined, expected: out.sha256 };
      const type: AnomalyType = h || cannot ? 'tampered-output' : 'missing-output';
      if (cannot) {
        tampered++;
        anomalies.push({ ...base, type, message: `${out.path} (${out.kind}) ${unreadableWhy(cannot)}: it cannot be checked against its journal entry (${out.sha256.slice(0, 12)}…, ${out.bytes ?? '?'} bytes journaled for ${source.file}); chorus-flux writes its outputs readable, so it was changed or replaced.` });
      } else if (h) {
        tampered++;
        anomalies.push({
          ...base,
          type,
          actual: h.sha256,
          message: `${out.path} (${out.kind}) no longer matches its journal entry: SHA-256 ${h.sha256.slice(0, 12)}…, ${h.bytes} bytes on disk; ${out.sha256.slice(0, 12)}…, ${out.bytes ?? '?'} bytes journaled for ${source.file}.`,
        });
      } else {
        missing++;
        anomalies.push({
          ...base,
          type,
          message: abs
            ? `${out.path} (${out.kind}), written for ${source.file} (${source.outcome}), is missing from the output tree.`
            : `The journal lists ${out.path} (${out.kind}) for ${source.file}, a path outside the output root: not checked.`,
        });
      }
      tags.sha(source.sha256, type);
      if (out.kind === 'pivot') tags.ids(out.idCpro ?? [], type);
    }
  };
  const col = new JournalCollector((out, source) => pending.push({ out, source }));
  const dayFiles = await Promise.all(days.map((d) => writerFiles(journalDir, d)));
  if (dayFiles[1].length === 0 && opts.dateGiven) {
    // a day before anything was journaled: a typo in the year (1999) read CLEAN
    const journaled = (await fs.readdir(journalDir).catch(() => [] as string[])).filter(isDay).sort();
    if (journaled.length > 0 && journaled[0] > date) throw new CannotReconcile(`--date ${date} is before the first day of the journal (${journaled[0]}): nothing was processed then, nothing can be reconciled`);
  }
  for (const [k, d] of days.entries()) {
    await readJournalDayStream(journalDir, d, {
      onLine: (l, ref) => col.line(k, l, ref),
      onDamaged: (ref, text) => col.damagedLine(k, ref, text),
      onFileStart: k === 1 ? (f) => col.fileStart(f) : undefined,
      onChunk: checkPending,
    });
  }
  if (date === today) notes.push(`${date} is today: this is the day so far, as of ${now.toISOString()}; files still arriving or being processed may show as anomalies until the day is over.`);
  if (dayFiles[1].length === 0) notes.push(`No journal for ${date}: nothing was processed that day, or the journal folder is missing.`);
  if (dayFiles[2].length === 0) {
    notes.push(
      days[2] >= today
        ? `No journal for ${days[2]} yet: a file received on ${date} and finished after midnight shows as lost until the next day's journal exists; run the reconciliation again to settle it.`
        : `No journal for ${days[2]}: nothing was processed that day, so no file received on ${date} was finished after midnight.`,
    );
  }
  if (taken > 0) notes.push(`${taken} output(s) of pivot/, statut/ and cdar/ have left their outbox: taken by the partners' transfers (reconcile.transfersMoveOutputs), not checked further.`);
  if (col.rejections.length > 0) {
    const named = col.rejections.slice(0, 10).map((r) => `${r.number ?? '?'} of supplier ${r.supplierId ?? '?'} (IdCPRO ${r.idCpro ?? '?'}, partner ${r.partner})${r.reason ? `: ${r.reason.length > 120 ? `${r.reason.slice(0, 119)}…` : r.reason}` : ''}`);
    notes.push(`${col.rejections.length} invoice(s) that chorus-flux had suspended on deposit rejected by the operator (chorus-flux reject), their depositors told: ${named.join('; ')}${col.rejections.length > 10 ? '; …' : ''}.`);
  }
  if (col.neighbourDamaged > 0) notes.push(`${col.neighbourDamaged} unreadable line(s) in the journals of ${days[0]} / ${days[2]} (reported with those days).`);
  const files = col.files().sort((a, b) => cmp(fileSortKey(a), fileSortKey(b)));

  // 2. what else the folders hold for the day: files no checked output covers
  const candidates = await scanOutputCandidates(outRoot, date, tz, col.listedPaths);
  //    an outcome of the day before or the day after may list them (a file finished across
  //    midnight); for archive/ and error/, an older journal (a file uploaded days before it
  //    was processed): state/files says which day
  //    (the content it journaled is kept, to check the file still holds it)
  const mark = (l: JournalLine, ref: LineRef, only?: Set<string>) => {
    if ((l.event !== 'outcome' && l.event !== 'already-processed' && l.event !== 'invoice-rejected') || !Array.isArray(l.outputs)) return;
    for (const o of l.outputs) {
      const c = typeof o?.path === 'string' && (!only || only.has(o.path)) ? candidates.get(o.path) : undefined;
      if (!c) continue;
      c.listed = true;
      if (typeof o.sha256 !== 'string') continue;
      (c.journaled ??= []).push({ sha256: o.sha256, bytes: o.bytes, kind: o.kind, idCpro: Array.isArray(o.idCpro) ? o.idCpro : undefined, file: String(l.file), source: String(l.sha256), partner: String(l.partner), writer: String(l.writer), ref: refText(ref) });
    }
  };
  if (candidates.size > 0) {
    for (const d of [days[0], days[2]]) await readJournalDayStream(journalDir, d, { onLine: mark });
  }
  const late = new Map<string, Set<string>>();
  const candidateSha = new Map<string, string>();
  for (const c of [...candidates.values()].filter((x) => !x.listed && (x.kind === 'archive' || x.kind === 'error' || x.kind === 'reason'))) {
    const sha = await originalSha(c);
    if (!sha) continue;
    candidateSha.set(c.rel, sha);
    // its mark, or the one a reopening retired (chorus-flux reprocess): the refusal's day is in it
    const rec = await processed.getListing(sha, c.rel).catch(() => undefined);
    if (!rec) continue;
    const at = new Date(rec.at);
    if (Number.isNaN(at.getTime())) continue;
    for (const d of [addDays(dayOf(at, tz), -1), dayOf(at, tz)]) {
      if (days.includes(d)) continue;
      const set = late.get(d) ?? new Set();
      set.add(c.rel);
      late.set(d, set);
    }
  }
  // an outcome whose mark (state/files, written just before its journal line) says it happened
  // in these days, listing these outputs, while the journal has not its outcome: a journal file
  // lost, or its last line cut by a crash (the receipt may be there). Said once, with its
  // outputs, instead of a lost file; they were orphans, "a file copied or written by hand",
  // which blamed the outputs for the journal's loss
  const unjournaled = new Set<string>();
  for (const c of [...candidates.values()].filter((x) => !x.listed && (x.kind === 'archive' || x.kind === 'error'))) {
    const sha = candidateSha.get(c.rel);
    if (!sha || unjournaled.has(sha) || col.hasOutcome(sha)) continue;
    const rec = await processed.getListing(sha, c.rel).catch(() => undefined);
    if (!rec) continue;
    const at = new Date(rec.at);
    if (Number.isNaN(at.getTime()) || !days.includes(dayOf(at, tz))) continue;
    unjournaled.add(sha);
    for (const o of rec.outputs) {
      const other = candidates.get(o.path);
      if (other) other.listed = true;
    }
    // the mark says where its line went: an attempt killed between the two writes whose content
    // was met again days later had it journaled then, from the mark. Told as "a journal file
    // lost, restore the line", while the line was in that day's journal (or was still to come)
    const lateDay = rec.journaled && rec.journaledAt ? dayOfIso(rec.journaledAt, tz) : undefined;
    if (lateDay && lateDay > days[2] && (await journalHasOutcome(journalDir, lateDay, sha))) {
      notes.push(`${rec.file} (partner ${rec.partner}) ended ${rec.outcome} at ${rec.at}, as its processed mark says; its attempt was interrupted between that mark and its journal line, and its outcome line was journaled from the mark on ${lateDay}, when the content was next met: it is counted here, with the day it ended.`);
    } else {
      const why = rec.journaled
        ? `: a journal file lost or cut by a crash? Its ${rec.outputs.length} output(s) are on disk; the mark holds the outcome line to restore.`
        : `: its attempt was interrupted (killed) after that mark and before its journal line. Nothing is lost and nothing is to restore: the next attempt at the same content (its retry, the file still in its inbox or in processing/) journals the line from the mark; its ${rec.outputs.length} output(s) are on disk.`;
      anomalies.push({
        type: 'outcome-not-journaled',
        file: rec.file,
        sha256: sha,
        partner: rec.partner,
        since: rec.at,
        outputs: rec.outputs.map((o) => o.path).sort(),
        message: `${rec.file} (partner ${rec.partner}) ended ${rec.outcome} at ${rec.at}, as its processed mark says, but no journal line of ${days[0]}…${days[2]} has its outcome${col.receiptOf(sha) ? ' (its receipt is there)' : ''}${why}`,
      });
      tags.sha(sha, 'outcome-not-journaled');
    }
    // a file of the day counts as it ended (the mark holds its outcome line), not as lost with
    // no invoices, and its outputs are checked as the line would have had them checked
    if (rec.event && !col.prevReceived.has(sha) && (col.receiptOf(sha) || dayOf(at, tz) === date)) {
      const markRel = path.relative(outRoot, path.join(statePaths(config).files, sha.slice(0, 2), `${sha}.json`)).split(path.sep).join('/');
      const outcome = col.markedOutcome(rec.event, rec.at, { file: markRel, line: 1 });
      const f = files.find((x) => x.sha256 === sha);
      if (f) Object.assign(f, { outcome, outcomes: 1 });
      else files.push({ sha256: sha, receipts: 0, outcome, outcomes: 1 });
    }
  }
  await checkPending();
  files.sort((a, b) => cmp(fileSortKey(a), fileSortKey(b)));
  for (const [d, wanted] of [...late.entries()].sort((a, b) => cmp(a[0], b[0]))) {
    await readJournalDayStream(journalDir, d, {
      onLine: (l: JournalLine, ref: LineRef) => {
        if (l.event === 'outcome') mark(l, ref, wanted);
      },
    });
  }
  // a file of the day that another day's outcome lists (written before midnight and journaled
  // after, written the day before and changed on the day, a copy uploaded days before): it must
  // still hold what that outcome journaled. That day's report was made before the change, and
  // this one took the file as accounted for: a pivot edited by hand the morning after read CLEAN
  for (const c of [...candidates.values()].filter((x) => x.listed && x.journaled).sort((a, b) => cmp(a.rel, b.rel))) {
    const got = await hashFile(c.abs);
    const h = hashOf(got);
    const cannot = unreadableOf(got);
    const listed = c.journaled ?? [];
    if (h ? listed.some((j) => j.sha256 === h.sha256) : cannot === undefined) continue;
    const j = listed[listed.length - 1];
    tampered++;
    let changed: string | undefined;
    try {
      changed = new Date(lstatSync(c.abs).mtimeMs).toISOString();
    } catch {
      /* removed meanwhile: reported with what was read */
    }
    anomalies.push({
      type: 'tampered-output',
      file: j.file,
      sha256: j.source,
      partner: j.partner,
      output: c.rel,
      journal: j.ref,
      writer: j.writer,
      expected: j.sha256,
      actual: h?.sha256,
      since: changed,
      invoices: j.kind === 'pivot' && j.idCpro?.length ? j.idCpro.slice(0, MAX_INVOICES_PER_ANOMALY).map((idCpro) => ({ idCpro })) : undefined,
      message: h
        ? `${c.rel} (${j.kind}) no longer matches its journal entry (${j.ref}): SHA-256 ${h.sha256.slice(0, 12)}…, ${h.bytes} bytes on disk${changed ? `, changed ${changed}` : ''}; ${j.sha256.slice(0, 12)}…, ${j.bytes ?? '?'} bytes journaled for ${j.file}.`
        : `${c.rel} (${j.kind}) ${unreadableWhy(cannot as string)}${changed ? ` (changed ${changed})` : ''}: it cannot be checked against its journal entry (${j.ref}: ${j.sha256.slice(0, 12)}…, ${j.bytes ?? '?'} bytes journaled for ${j.file}); chorus-flux writes its outputs readable, so it was changed or replaced.`,
    });
    tags.sha(j.source, 'tampered-output');
    if (j.kind === 'pivot') tags.ids(j.idCpro ?? [], 'tampered-output');
  }

  // 3. files in the folders that no outcome lists: orphans
  let orphan = 0;
  const emissions = col.emissions;
  for (const c of [...candidates.values()].filter((x) => !x.listed).sort((a, b) => cmp(a.rel, b.rel))) {
    const got = c.unreadable !== undefined ? { unreadable: c.unreadable } : await hashFile(c.abs);
    const h = hashOf(got);
    const cannot = unreadableOf(got);
    if (!h && cannot === undefined && c.link === undefined) continue; // removed meanwhile (a link is told whatever it points to)
    const invs = c.kind === 'pivot' && h ? pivotInvoices(readFileSync(c.abs, 'utf8')) : [];
    if (c.mtimeMs < 0) {
      try {
        c.mtimeMs = lstatSync(c.abs).mtimeMs;
      } catch {
        /* removed meanwhile: reported with what was read */
      }
    }
    orphan++;
    const at = c.mtimeMs >= 0 ? new Date(c.mtimeMs).toISOString() : undefined;
    const what =
      c.link !== undefined
        ? `a symbolic link to ${c.link}${h ? '' : cannot ? ` (which ${unreadableWhy(cannot)})` : ' (no file there)'}${at ? `, made ${at}` : ''}`
        : cannot !== undefined
          ? `${c.unreadable !== undefined ? 'a folder that ' : ''}${unreadableWhy(cannot)}, so what it holds cannot be checked${at ? `; made ${at}` : ''}`
          : `${h?.bytes} bytes${at ? `, written ${at}` : ''}`;
    anomalies.push({
      type: 'orphan-output',
      output: c.rel,
      actual: h?.sha256,
      sha256: c.kind === 'archive' || c.kind === 'error' ? h?.sha256 : candidateSha.get(c.rel),
      since: at,
      invoices: invs.length ? invs.slice(0, MAX_INVOICES_PER_ANOMALY).map((i) => stripUndefined({ idCpro: i.idCpro, number: i.number, renvoi: i.renvoi })) : undefined,
      message: `${c.rel} (${c.kind}, ${what}) is listed by no outcome in the journal of ${days[0]}…${days[2]}${c.link !== undefined ? ': chorus-flux never makes a link, and a transfer that follows it sends what it points to again under this name' : ''}${invs.length ? `; it carries IdCPRO ${invs.map((i) => i.idCpro ?? '?').join(', ')}` : ''}.`,
    });
    for (const i of invs) if (i.idCpro) emissions.add({ idCpro: i.idCpro, path: c.rel, renvoi: i.renvoi, at, source: 'folder', onDay: true, number: i.number });
  }

  // 4. the lifecycle store: suspended invoices past their deadline; earlier pivots of the day's IdCPROs
  const deadline = config.lifecycle.suspendedDeadlineDays;
  const stateDamaged = (file: string, reason: string) => {
    const rel = path.relative(config.paths.state, file).split(path.sep).join('/');
    anomalies.push({
      type: 'state-damaged',
      output: `state/${rel}`,
      message: `The lifecycle record state/${rel} cannot be read (${reason}): the files of the invoices it tracks stop with a system failure until it is restored from a backup or removed (docs/OPERATIONS.md).`,
    });
  };
  for await (const r of lifecycleRecords(statePaths(config).invoices, stateDamaged)) {
    if (emissions.has(r.idCpro)) {
      for (const o of r.outputs ?? []) {
        if (o.kind !== 'pivot' || emissions.knows(r.idCpro, o.path)) continue;
        const dep = r.deposits?.find((d) => d.sha256 === o.source);
        emissions.add({ idCpro: r.idCpro, path: o.path, renvoi: o.renvoi, at: dep?.at, source: 'lifecycle', onDay: false, number: r.number, supplierId: r.supplierId, partner: r.partner, sha256: o.source });
      }
    }
    const age = suspensionAge(r, date, asOf, tz);
    if (age !== undefined && age >= deadline) {
      const h = [...(r.history ?? [])].reverse().find((x) => x.state === 'SUSPENDUE');
      anomalies.push({
        type: 'suspended-past-deadline',
        partner: r.partner,
        file: h?.file,
        sha256: h?.sha256,
        since: r.suspendedAt,
        invoices: [stripUndefined({ idCpro: r.idCpro, number: r.number, supplierId: r.supplierId })],
        message: `Invoice ${r.number} of supplier ${r.supplierId} (IdCPRO ${r.idCpro}) has been suspended since ${r.suspendedAt} — ${age} days at the end of ${date}, the deadline is ${deadline} days${r.suspendReason ? `. Reason: ${r.suspendReason}` : ''}.`,
      });
      tags.ids([r.idCpro], 'suspended-past-deadline');
    }
  }
  for (const a of duplicateIdCpro(emissions)) {
    anomalies.push(a);
    tags.ids((a.invoices ?? []).map((i) => i.idCpro), 'duplicate-idcpro');
    tags.sha(a.sha256, 'duplicate-idcpro');
  }

  // 5. processing: files older than the threshold
  const stuckBySha = new Map<string, string>();
  // in processing since the claim: its id's time, or its receipt time (a claim is a rename,
  // which sets the change time), never the mtime alone, which a client may have set months back
  const inProcessingSince = (f: FolderFile) => Math.max(receivedMs({ mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs ?? f.mtimeMs }, config.receiptTime), claimTimeMs(parseClaimed(f.abs, '')?.claimId ?? '') ?? 0);
  const shownInOut = (abs: string) => {
    const rel = path.relative(outRoot, abs).split(path.sep).join('/');
    return rel.startsWith('..') ? abs : rel;
  };
  // what no worker can read stays there for ever: said, with why
  const stuckUnreadable = (abs: string, code: string, what: string, them: string) =>
    anomalies.push({ type: 'stuck-processing', file: shownInOut(abs), message: `${shownInOut(abs)} (${what}) ${unreadableWhy(code)}: no worker can process ${them}; give chorus-flux read access to it (or remove it, if it holds no file of a partner), then \`chorus-flux retry\` the jobs that failed.` });
  const processingFiles = await scanFolder(config.paths.processing, undefined, (dir, code) => stuckUnreadable(dir, code, 'a folder in processing', 'the files in it'));
  for (const f of processingFiles.map((x) => ({ ...x, mtimeMs: inProcessingSince(x) })).filter((x) => x.mtimeMs <= stuckBefore)) {
    const got = await hashFile(f.abs);
    const cannot = unreadableOf(got);
    if (cannot) stuckUnreadable(f.abs, cannot, 'claimed, in processing', 'it');
    const h = hashOf(got);
    if (!h) continue;
    const rel = path.relative(outRoot, f.abs).split(path.sep).join('/');
    const shown = rel.startsWith('..') ? f.abs : rel;
    stuckBySha.set(h.sha256, shown);
    const r = col.receiptOf(h.sha256);
    const claim = col.claimOf(h.sha256);
    const known = r
      ? `received by ${r.writer} at ${r.ts}`
      : col.prevReceived.has(h.sha256)
        ? `received on ${days[0]}`
        : claim
          ? `claimed by ${claim.writer} at ${claim.ts}, never received by a worker`
          : 'never received in the journal of the window';
    const done = col.hasOutcome(h.sha256) || (await processed.get(h.sha256).catch(() => undefined)) !== undefined;
    const minutes = Math.floor((judgedAt.getTime() - f.mtimeMs) / 60_000);
    anomalies.push({
      type: 'stuck-processing',
      file: shown,
      sha256: h.sha256,
      partner: r?.partner ?? claim?.partner ?? (f.rel.includes('/') ? f.rel.split('/')[0] : undefined),
      since: new Date(f.mtimeMs).toISOString(),
      message: `${shown} has been in processing for ${minutes} minutes (threshold ${config.reconcile.stuckProcessingMinutes}); ${known}${done ? '; it already has an outcome, the processing copy was not removed' : `; if its job failed, \`chorus-flux jobs --config ${config.source}\` says why and \`chorus-flux retry\` queues it again once fixed`}.`,
    });
    tags.sha(h.sha256, 'stuck-processing');
  }

  // the bundled example's inboxes, time zone and thresholds would judge another configuration's day
  if (isBundledExample(config)) {
    const other = [...col.configs].find(([source]) => source !== config.source);
    if (other) throw new CannotReconcile(`the journal of ${date} was written by chorus-flux ${other[1]} running with the configuration ${other[0]}: reconcile with --config ${other[0]} (without it, the bundled example's inboxes, time zone and thresholds would judge the day)`);
  } else {
    // another file may be the same configuration, copied: said, not refused
    const others = [...col.configs.keys()].filter((source) => source !== config.source);
    if (others.length > 0) notes.push(`The journal lines read for ${date} (from ${days[0]} to ${days[2]}) were written with the configuration ${others.join(', ')}; this reconciliation reads ${config.source}: its inboxes, time zone and thresholds judge the day.`);
  }

  // 6. inboxes: files uploaded on the day, older than the threshold, that the pipeline never
  // received — in the configured inboxes (watch) and in the trees `run` took files from that day;
  // and, whatever their day, the files of folders beside the inboxes that no partner reads
  const seenInInboxes = new Set<string>();
  const partials = new Set<string>();
  for (const { root, ownerFor } of inboxesToScan(config, col.runInboxes, notes)) {
    const skipped: SkippedEntry[] = [];
    let dayFiles: FolderFile[];
    try {
      dayFiles = await scanInboxDay(root, date, tz, config.receiptTime, (e) => skipped.push(e), (abs) => partials.add(abs));
    } catch (e) {
      // a partner that owns its inbox folder can take chorus-flux's rights to it away
      const code = unreadableCode(e);
      if (!code) throw e;
      anomalies.push({ type: 'not-picked-up', file: root, partner: ownerFor(root).partner, message: `The inbox ${root} ${unreadableWhy(code)}: no file in it can be taken, nor checked here; give chorus-flux read and write access to it again.` });
      continue;
    }
    for (const f of dayFiles) {
      if (seenInInboxes.has(f.abs)) continue;
      seenInInboxes.add(f.abs);
      // judged as of now, not as of the day's end: a file uploaded in the day's last hour and
      // still there would be too young for this day's report and not scanned by the next day's
      if (f.mtimeMs > staleInInboxBefore) continue;
      const got = await hashFile(f.raw ?? f.abs);
      const cannot = unreadableOf(got);
      if (cannot) {
        // never readable, so never processed: `run` fails on it at every pass, a worker gives its job up
        const owner = ownerFor(f.abs);
        anomalies.push({ type: 'not-picked-up', file: f.abs, partner: owner.partner, since: new Date(f.mtimeMs).toISOString(), message: `${f.abs} (${whose(owner)}, uploaded ${new Date(f.mtimeMs).toISOString()}) ${unreadableWhy(cannot)}: it cannot be processed; ask the partner to upload it again readable, or give chorus-flux read access to it.` });
        continue;
      }
      const h = hashOf(got);
      if (!h) continue;
      const s = h.sha256;
      if (col.receiptOf(s) || col.claimOf(s) || col.prevReceived.has(s) || col.nextReceived.has(s) || col.alreadyProcessedShas.has(s)) continue;
      if ((await processed.get(s).catch(() => undefined)) !== undefined) continue;
      const owner = ownerFor(f.abs);
      anomalies.push({
        type: 'not-picked-up',
        file: f.abs,
        sha256: s,
        partner: owner.partner,
        since: new Date(f.mtimeMs).toISOString(),
        // a file whose folder names no partner is never taken by run: the report says why and what to do
        ...(owner.partner === undefined ? { rule: owner.rule } : {}),
        message: `${f.abs} (${owner.partner !== undefined ? `partner ${owner.partner}, ` : ''}uploaded ${new Date(f.mtimeMs).toISOString()}) was never received by the pipeline${owner.partner !== undefined ? '.' : `: ${owner.rule} ${owner.why}.`}`,
      });
    }
    // what the scan never takes (a link, a FIFO, a folder it cannot read) is reported every
    // night until someone removes it: nothing else would ever say it is there
    for (const e of skipped) {
      const abs = path.join(root, e.rel);
      if (seenInInboxes.has(abs)) continue;
      seenInInboxes.add(abs);
      let st;
      try {
        st = lstatSync(abs, { throwIfNoEntry: false });
      } catch {
        st = undefined; // a path too long to name (a folder nested past PATH_MAX): reported all the same
      }
      // just made: give it the threshold, counted from now whatever day is reconciled
      if (st && Math.max(st.mtimeMs, st.ctimeMs) > now.getTime() - config.reconcile.stuckProcessingMinutes * 60_000) continue;
      const owner = ownerFor(abs);
      anomalies.push({
        type: 'not-picked-up',
        file: abs,
        partner: owner.partner,
        ...(st ? { since: new Date(Math.max(st.mtimeMs, st.ctimeMs)).toISOString() } : {}),
        message: skippedSentence(abs, whose(owner), e),
      });
    }
    // a file in a sub-folder that names no partner is never taken by run (partner-of.ts): like a
    // link, it is reported every night until someone moves it, not on its upload day alone
    for (const { abs, rule, why } of await filesWithoutPartner(root, ownerFor)) {
      if (seenInInboxes.has(abs)) continue;
      seenInInboxes.add(abs);
      const st = statSync(abs, { throwIfNoEntry: false });
      if (!st || Math.max(st.mtimeMs, st.ctimeMs) > staleInInboxBefore) continue;
      anomalies.push({
        type: 'not-picked-up',
        file: abs,
        since: new Date(st.mtimeMs).toISOString(),
        rule,
        message: `${abs} (uploaded ${new Date(st.mtimeMs).toISOString()}) was never received by the pipeline: ${rule} ${why}.`,
      });
    }
  }
  // the upload folders beside the configured inboxes that are no partner's inbox (a new
  // partner's SFTP folder nobody configured): watch never reads them, so each file there is
  // reported every night until someone moves it or configures the folder, as those above
  for (const stray of await strayFolders(config)) {
    for (const e of stray.files) {
      if (seenInInboxes.has(e.abs)) continue;
      seenInInboxes.add(e.abs);
      const st = statSync(openPath(e), { throwIfNoEntry: false });
      if (!st || Math.max(st.mtimeMs, st.ctimeMs) > staleInInboxBefore) continue;
      // a `run` given that folder took it (as "default"): received, not left behind
      const sha = hashOf(await hashFile(openPath(e)))?.sha256;
      if (sha && (col.receiptOf(sha) || col.claimOf(sha) || col.prevReceived.has(sha) || col.nextReceived.has(sha) || (await processed.get(sha).catch(() => undefined)) !== undefined)) continue;
      anomalies.push({
        type: 'not-picked-up',
        file: e.abs,
        sha256: sha,
        since: new Date(st.mtimeMs).toISOString(),
        rule: stray.rule,
        message: `${e.abs} (uploaded ${new Date(st.mtimeMs).toISOString()}) was never received by the pipeline: ${stray.rule} ${stray.why}.`,
      });
    }
  }
  // uploads still under their partial name (.part, .filepart) and untouched past the threshold:
  // the client gave up, and the partner may believe the file sent. Not the pipeline's (it never
  // takes such a name), so a note, said every night until someone removes them
  const abandoned = [...partials].filter((abs) => {
    const st = statSync(abs, { throwIfNoEntry: false });
    return st !== undefined && st.mtimeMs <= now.getTime() - config.reconcile.stuckProcessingMinutes * 60_000;
  });
  if (abandoned.length > 0) {
    const shown = abandoned.slice(0, 10).join(', ');
    notes.push(`${abandoned.length} upload(s) left under a partial name (.part, .filepart) for over ${config.reconcile.stuckProcessingMinutes} minutes, never finished, so never taken: ${shown}${abandoned.length > 10 ? ', …' : ''}. Ask the partner to send them again; remove them once done.`);
  }

  // outcome lines journaled on the day from the processed marks of files that ended days before
  // (an attempt killed between its mark and its line, its content met again only now): files
  // of the day they ended, counted there; here they were "outcomes without a receipt, a lost
  // journal line", and counted a second time
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i];
    if (!f.outcome || f.receipt || unjournaled.has(f.sha256)) continue;
    const mark = await processed.get(f.sha256).catch(() => undefined);
    const endedOn = mark?.event && mark.event.file === f.outcome.file && mark.event.partner === f.outcome.partner ? dayOfIso(mark.at, tz) : undefined;
    if (!mark || !endedOn || endedOn >= days[0]) continue;
    files.splice(i, 1);
    notes.push(`${f.outcome.file} (partner ${f.outcome.partner}) has its outcome (${f.outcome.outcome}) journaled by ${f.outcome.writer} at ${f.outcome.ts} from its processed mark: it ended at ${mark.at}, its attempt was interrupted before the mark knew its line journaled, and its content was met again only now. A file of ${endedOn}, counted with that day, not this one.`);
  }

  // 7. files received without an outcome; outcomes without a receipt
  for (const f of files) {
    if (!f.outcome && f.receipt && !unjournaled.has(f.sha256)) {
      const errs = [...(col.systemErrors.get(f.sha256) ?? []), ...(col.systemErrors.get(f.receipt.file) ?? [])];
      const stuck = stuckBySha.get(f.sha256);
      // finished after the next day (a retry once the machine was back, the same bytes under
      // another name): the report of a day caught up late told it lost, to be dropped again
      const mark = await processed.get(f.sha256).catch(() => undefined);
      const markAt = mark ? new Date(mark.at) : undefined;
      const ended =
        mark && markAt && !Number.isNaN(markAt.getTime())
          ? `; its processed mark says its content ended ${mark.outcome} at ${mark.at}${mark.file !== f.receipt.file ? ` as ${mark.file}` : ''}${mark.journaled ? ` (journal of ${dayOfIso(mark.journaledAt ?? mark.at, tz) ?? dayOf(markAt, tz)})` : ''}: finished later, not lost, nothing to drop again`
          : '';
      anomalies.push({
        type: 'lost-file',
        file: f.receipt.file,
        sha256: f.sha256,
        partner: f.receipt.partner,
        writer: f.receipt.writer,
        journal: refOf(f.receipt),
        since: f.receipt.ts,
        message: `${f.receipt.file} (${f.receipt.bytes ?? '?'} bytes) was ${f.claimedOnly ? 'claimed into processing' : 'received'} by ${f.receipt.writer} at ${f.receipt.ts} and has no outcome in the journal of ${date} or ${days[2]}${f.claimedOnly ? ' (no worker ever received it)' : ''}${errs.length ? `; system error: ${[...new Set(errs)].join(' | ')}` : ''}${stuck ? `; it is still in ${stuck}` : ''}${ended}.`,
      });
      tags.sha(f.sha256, 'lost-file');
    } else if (f.outcome && !f.receipt && !unjournaled.has(f.sha256)) {
      const o = f.outcome;
      anomalies.push({
        type: 'outcome-without-received',
        file: o.file,
        sha256: f.sha256,
        partner: o.partner,
        writer: o.writer,
        journal: refOf(o),
        since: o.ts,
        invoices: o.invoices.length ? invoiceRefs(o.invoices) : undefined,
        message: `${o.file} has an outcome (${o.outcome}) journaled by ${o.writer} at ${o.ts}, but no \`received\` for this content in the journal of ${days[0]} or ${date}.`,
      });
      tags.sha(f.sha256, 'outcome-without-received');
    }
  }

  // 8. the journal itself
  const damagedPerFile = new Map<string, number>();
  for (const d of col.damaged) damagedPerFile.set(d.ref.file, (damagedPerFile.get(d.ref.file) ?? 0) + 1);
  anomalies.push(...sequenceAnomalies(col.sequence.flatMap((s) => s.issues), damagedPerFile));
  for (const d of col.damaged) {
    anomalies.push({ type: 'journal-damaged', journal: `${d.ref.file}:${d.ref.line}`, writer: path.basename(d.ref.file, '.jsonl'), message: `Line ${d.ref.line} of ${d.ref.file} is not a journal event: ${JSON.stringify(d.text.slice(0, 80))}.` });
  }

  const sorted = sortAnomalies(anomalies);
  const anomalyCounts: Partial<Record<AnomalyType, number>> = {};
  for (const a of sorted) anomalyCounts[a.type] = (anomalyCounts[a.type] ?? 0) + 1;
  const orderedCounts: Partial<Record<AnomalyType, number>> = {};
  for (const t of ANOMALY_TYPES) if (anomalyCounts[t]) orderedCounts[t] = anomalyCounts[t];
  const summary = summarize(config, files, col.alreadyProcessed, new DayHours(date, tz), col.rejections);
  const unreadable = summary.totals.amounts.in.unreadable ?? 0;
  if (unreadable > 0) notes.push(`${unreadable} invoice(s) of the day have an amount (HT or TTC) that is not a number, as the supplier wrote it (refused invoices): the amount totals leave it out; the CSV shows it, defused.`);
  // 9. the flows receivers refused, found again in the journal (they have usually left their outbox)
  const refusals = summary.flowStatuses.refusals;
  if (refusals.length > 0) {
    const sent = await findSentFlows(journalDir, refusals.map((r) => r.flow ?? r.idFlux), lookbackDays(date, config.reconcile.flowLookbackDays));
    for (const r of refusals) {
      const s = sent.get(r.flow ?? r.idFlux);
      if (s) r.sent = s;
    }
  }
  const report: ReconcileReport = {
    format: 'chorus-flux/reconcile@1',
    date,
    timezone: tz,
    status: sorted.length === 0 ? 'clean' : 'anomalies',
    asOf: judgedAt.toISOString(),
    settings: { stuckProcessingMinutes: config.reconcile.stuckProcessingMinutes, suspendedDeadlineDays: deadline },
    journal: { days, writers: [...col.writers].sort(cmp), lines: col.lines, damaged: col.damaged.length },
    totals: summary.totals,
    byPartner: summary.byPartner,
    byRecipient: summary.byRecipient,
    hours: summary.hours,
    outputs: { checked: col.checkedOutputs(), byKind: Object.fromEntries([...col.byKind.entries()].sort((a, b) => cmp(a[0], b[0]))), missing, tampered, orphan, taken },
    flowStatuses: summary.flowStatuses,
    anomalyCounts: orderedCounts,
    anomalies: sorted,
    notes,
  };
  return { report, rows: () => invoiceRows(files, tags) };
}

function fileSortKey(f: FileRec): string {
  return `${f.receipt?.partner ?? f.outcome?.partner ?? ''}\u0000${f.receipt?.file ?? f.outcome?.file ?? ''}\u0000${f.sha256}`;
}

async function originalSha(c: Candidate): Promise<string | undefined> {
  if (c.kind === 'reason') {
    try {
      const j = JSON.parse(readFileSync(c.abs, 'utf8')) as { sha256?: unknown };
      if (typeof j.sha256 === 'string') return j.sha256;
    } catch {
      /* unreadable: an orphan anyway */
    }
    return hashOf(await hashFile(c.abs.slice(0, -'.reason.json'.length)))?.sha256;
  }
  return hashOf(await hashFile(c.abs))?.sha256;
}

/** The CSV rows as cells in CSV_COLUMNS order (no row objects: a day has 100,000 of them). */
function* invoiceRows(files: FileRec[], tags: Tags): Generator<string[]> {
  for (const f of files) {
    const o = f.outcome;
    const r = f.receipt;
    const partner = r?.partner ?? o?.partner ?? '';
    const file = r?.file ?? o?.file ?? '';
    const receivedAt = r?.receivedAt ?? '';
    const journaledAt = r?.ts ?? o?.ts ?? '';
    const writer = r?.writer ?? o?.writer ?? '';
    const fileOutcome = o?.outcome ?? 'lost';
    const kind = o?.kind ?? '';
    const fileTypes = tags.bySha.get(f.sha256);
    if (!o || o.invoices.length === 0) {
      yield [partner, file, f.sha256, receivedAt, journaledAt, writer, fileOutcome, kind, '', '', '', '', '', '', '', '', '', '', '', '', o?.rules ?? '', fileTypes ? [...fileTypes].sort(cmp).join(' ') : '', '', ''];
      continue;
    }
    const status = isStatusFlow(f);
    for (const inv of o.invoices) {
      const idTypes = inv.idCpro ? tags.byId.get(inv.idCpro) : undefined;
      const types = fileTypes || idTypes ? [...new Set([...(fileTypes ?? []), ...(idTypes ?? [])])].sort(cmp).join(' ') : '';
      yield [
        partner,
        file,
        f.sha256,
        receivedAt,
        journaledAt,
        writer,
        fileOutcome,
        kind,
        String(inv.index + 1),
        inv.number ?? '',
        inv.supplierId ?? '',
        inv.buyerSiret ?? '',
        inv.recepteurId ?? '',
        inv.idCpro ?? '',
        inv.outcome,
        inv.state ?? '',
        inv.renvoi ?? '',
        inv.montantHT ?? '',
        inv.montantTTC ?? '',
        status ? '' : (inv.pivot ?? ''),
        inv.rules ?? '',
        types,
        inv.typeCode ?? '',
        inv.currency ?? '',
      ];
    }
  }
}

/**
 * The inbox trees the reconciliation scans for files never received: each configured partner
 * inbox, and each tree a `run` of the day took files from (its `start` line names it), the file's
 * partner told as `run` tells it (or the folder that names none, which `run` never takes). With the bundled example configuration (no --config), its
 * inboxes (the fixtures) are left out when the day's runs name their own.
 */
export function inboxesToScan(config: Config, runInboxes: Set<string>, notes: string[]): { root: string; ownerFor: (abs: string) => FileOwner }[] {
  const out: { root: string; ownerFor: (abs: string) => FileOwner }[] = [];
  // the bundled example's inboxes are the project's fixtures: never an operator's inbox (a fresh
  // checkout's files, "uploaded" the day before, read as never picked up)
  if (!isBundledExample(config)) {
    for (const p of [...config.partners].sort((a, b) => cmp(a.id, b.id))) if (p.inbox) out.push({ root: p.inbox, ownerFor: () => ({ partner: p.id }) });
  }
  for (const root of [...runInboxes].sort(cmp)) {
    if (out.some((o) => o.root === root)) continue;
    if (!existsSync(root)) {
      notes.push(`The inbox ${root} that run took files from on the day no longer exists: not scanned for files left behind.`);
      continue;
    }
    out.push({ root, ownerFor: (abs) => ownerOf(config, root, abs) });
  }
  return out;
}

/** The files under the sub-folders of an inbox tree that name no partner, whatever their day. */
async function filesWithoutPartner(root: string, ownerFor: (abs: string) => FileOwner): Promise<{ abs: string; rule: string; why: string }[]> {
  const dirs = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const out: { abs: string; rule: string; why: string }[] = [];
  for (const d of dirs) {
    if (!d.isDirectory() || isIgnoredName(d.name)) continue; // a link is reported as skipped, never followed
    const owner = ownerFor(path.join(root, d.name, '_'));
    if (owner.partner !== undefined) continue;
    for (const e of await scanInbox(path.join(root, d.name)).catch(() => [])) out.push({ abs: e.abs, rule: owner.rule, why: owner.why });
  }
  return out;
}

/** The day of an ISO time in the zone; undefined when it is not one (a mark written by hand). */
function dayOfIso(iso: string, tz: string): string | undefined {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? undefined : dayOf(t, tz);
}

/** Whether the journal of `day` has an outcome line for the content `sha`. */
async function journalHasOutcome(journalDir: string, day: string, sha: string): Promise<boolean> {
  let found = false;
  await readJournalDayStream(journalDir, day, {
    accept: (text) => text.includes(sha),
    onLine: (l) => {
      if (l.event === 'outcome' && l.sha256 === sha) found = true;
    },
  });
  return found;
}
