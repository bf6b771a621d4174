/**
 * `chorus-flux reprocess [--config <file>] [--out <dir>] --reason <text> [--inbox <dir>] <what>…`:
 * a file refused whole because of our side (its recipient missing from the routing table, a
 * code service not configured, a limit set too low), the configuration fixed since, put back
 * into its partner's inbox to be processed again as a new attempt. Without it the same bytes
 * dropped again only end `already-processed` (their processed mark).
 *
 * For each content named (the path of its kept original under error/, its SHA-256, or its
 * name, as trace finds it in 31 days or the .reason.json of its kept original names it), under
 * the content's lock (as run and the workers take it), each step durable before the next
 * (state/reopenings.ts): the reopening recorded; its `reopened` journal line; the refused
 * attempt's record, then its processed mark, renamed to history names (the next deposit is a
 * new attempt: new flow salt, so new 93/CDAR names and IdFlx); the kept original copied back
 * into the inbox under its name (a suffixed one when that name is taken). The error/ copy and
 * its .reason.json stay: they are the first refusal's record. Killed anywhere and run again, it
 * finishes what was left: one line, one copy.
 *
 * Exit 0 reopened (now, or before: the copy waits, or was taken), 1 some content cannot be
 * (not a whole refusal, not finished, unknown, its kept original gone), 2 could not run.
 */
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isBundledExample, loadConfig, outputRootOrigin, type Config } from '../../config/config';
import { copyFileAtomic, tempWriterOf } from '../../emit/atomic-write';
import { REASON_SUFFIX, safeSegment } from '../../emit/outbox';
import { Journal, readJournalDay } from '../../journal/journal';
import { SET_ASIDE_RULE } from '../../queue/gone-job-content';
import { LifecycleStore } from '../../lifecycle/store';
import { addDays, isDay } from '../../reconcile/day';
import { statePaths } from '../../runner/deps';
import { withFileLock } from '../../state/file-lock';
import { ProcessedFiles, type ProcessedRecord } from '../../state/processed-files';
import { reopenId, Reopenings, type ReopenRecord } from '../../state/reopenings';
import { waitingContents } from '../../state/waiting-contents';
import { trace } from '../../trace/trace';
import { dayOf, systemClock } from '../../util/clock';
import { faultPoint } from '../../util/fault';
import { sha256OfFile } from '../../util/hash';
import { NAME_MAX_BYTES, utf8Prefix } from '../../util/fit-name';
import { UsageError } from '../../util/usage-error';
import { refuseForeignOwner } from '../owner-guard';
import { refuseTreeOfOtherConfig } from '../tree-config';
import { TRACE_DEFAULT_DAYS } from './trace-days';

export interface ReprocessCommandOptions {
  config?: string;
  out?: string;
  reason?: string;
  inbox?: string;
  /** reprocess a file set aside by an operator (FLUX-ECARTE) all the same */
  evenIfSetAside?: boolean;
  asAnyUser?: boolean;
}

/** What became of one content named. */
export interface ReprocessReport {
  what: string;
  sha256?: string;
  result: 'reopened' | 'already-reopened' | 'cannot';
  detail: string;
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

const SHA = /^[0-9a-f]{64}$/i;

/** The content `what` names: a SHA-256, a file (its bytes: the kept original under error/), or a name the journal or error/ knows. */
async function resolve(what: string, config: Config, marks: ProcessedFiles, reopenings: Reopenings): Promise<{ sha: string } | { cannot: string }> {
  const w = what.trim();
  if (SHA.test(w)) return { sha: w.toLowerCase() };
  let st;
  try {
    st = statSync(w);
  } catch {
    st = undefined;
  }
  if (st === undefined && !path.isAbsolute(w)) {
    // a path as trace and the reports print it: relative to the output root (error/<day>/<name>)
    try {
      st = statSync(path.join(config.paths.out, w));
      if (st.isFile()) return { sha: await sha256OfFile(path.join(config.paths.out, w)) };
    } catch {
      st = undefined;
    }
  }
  if (st?.isFile()) return { sha: await sha256OfFile(w) };
  return resolveName(w, config, marks, reopenings);
}

/** A content a name may mean, and its day: of its refusal in the journal, or its error/<day>/ folder. */
interface Candidate {
  sha: string;
  day: string;
}

/**
 * A name (or anything else trace finds) looked for in the journal of the last 31 days, as trace
 * does, and in the error/<day>/ folders of the days before them: a refusal older than the window
 * (the configuration fixed weeks later) is found by its file name, one folder listing a day (its
 * kept original's .reason.json names the content). Until 2026-12-07 only the 31 days were read:
 * an older refusal was "nothing named" by its name. Both are read every time: a recent content of
 * the name must not hide an older refused one the operator means (it would be reopened in its
 * place, journaled). Several contents: the one refused (or being reopened) is taken; several
 * refused, or none and several: the operator is asked for the SHA-256, each listed with its day.
 */
async function resolveName(w: string, config: Config, marks: ProcessedFiles, reopenings: Reopenings): Promise<{ sha: string } | { cannot: string }> {
  const today = dayOf(new Date(), config.timezone);
  const journalDir = statePaths(config).journal;
  const since = addDays(today, -TRACE_DEFAULT_DAYS);
  const r = await trace(w, { journalDir, lifecycle: new LifecycleStore(statePaths(config).invoices), since });
  const found = new Map<string, Candidate>();
  const add = (c: Candidate) => {
    const had = found.get(c.sha);
    if (!had || c.day < had.day) found.set(c.sha, c);
  };
  for (const f of r.files) {
    const l = (f.lines.find((t) => t.line.event === 'outcome' && t.line.outcome === 'refused') ?? f.lines[0]).line;
    add({ sha: f.sha256, day: dayOf(new Date(l.ts), config.timezone) });
  }
  // a refusal kept in a folder of the window's days is in its journal: the folders before only
  for (const c of await keptRefusals(w, config, since)) add(c);
  const cs = [...found.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.sha < b.sha ? -1 : 1));
  if (cs.length === 0) return { cannot: `nothing named "${w}" in the journal since ${since} nor in error/ before it: give the SHA-256 of the refused file, or the path of its copy under error/` };
  if (cs.length === 1) return { sha: cs[0].sha };
  // a name several contents had: the one refused (or being reopened) is meant; a reopening whose
  // copy has an outcome other than a refusal is over (a content reprocessed and accepted is
  // not to be chosen between: error/ holds years of them, their reopenings kept until pruned)
  const refused: Candidate[] = [];
  for (const c of cs) {
    const mark = await marks.get(c.sha);
    const reopening = reopenings.get(c.sha);
    if (mark?.outcome === 'refused' || (reopening && (!mark || mark.at === reopening.refusedAt))) refused.push(c);
  }
  if (refused.length === 1) return { sha: refused[0].sha };
  const listed = refused.length > 1 ? refused : cs;
  const oldest = listed[0].day;
  return {
    cannot: `"${w}" names ${listed.length} ${refused.length > 1 ? 'refused ' : ''}contents (${listed.map((c) => `${c.sha.slice(0, 12)} of ${c.day}`).join(', ')}): give the SHA-256 of the one to reprocess (chorus-flux trace "${w}"${oldest < since ? ` --since ${oldest}` : ''} shows them)`,
  };
}

/**
 * The contents kept in error/<day>/ under the file name `what` ends with, on the days before
 * `before` (one per content: its first day). A kept name is the partner's own (cut to 200 bytes:
 * safeSegment) or hash-tagged (`<stem>.<12 hex>[-n]<ext>`, another content of the name kept that
 * day); its `.reason.json` names the content and the partner's file: both are checked, so a file
 * the partner named like a tagged one is not taken for another's.
 */
async function keptRefusals(what: string, config: Config, before: string): Promise<Candidate[]> {
  const errorDir = path.join(config.paths.out, 'error');
  const name = what.includes('/') ? what.slice(what.lastIndexOf('/') + 1) : what;
  const wanted = what.normalize('NFC');
  const base = name.normalize('NFC');
  // a name uploaded from a Mac (decomposed accents) typed composed, or the other way round
  const forms = [...new Set([name, name.normalize('NFC'), name.normalize('NFD')])].map((n) => {
    const seg = safeSegment(n);
    const dot = seg.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [seg.slice(0, dot), seg.slice(dot)] : [seg, ''];
    return { seg, tagged: new RegExp(`^${escapeRegExp(stem)}\\.[0-9a-f]{12}(-\\d+)?${escapeRegExp(ext)}$`) };
  });
  const kept = (n: string) => forms.some((f) => n === f.seg || f.tagged.test(n));
  const days = (await fs.readdir(errorDir).catch(() => [] as string[])).filter((d) => isDay(d) && d < before).sort();
  const found = new Map<string, Candidate>();
  for (const day of days) {
    let names: string[];
    try {
      names = readdirSync(path.join(errorDir, day)); // in place: a listing each of thousands of days, not a thread-pool round trip each
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.endsWith(REASON_SUFFIX) || !kept(n.slice(0, -REASON_SUFFIX.length))) continue;
      let reason: { sha256?: unknown; file?: unknown };
      try {
        reason = JSON.parse(await fs.readFile(path.join(errorDir, day, n), 'utf8')) as typeof reason;
      } catch {
        continue; // unreadable: the path of the copy under error/ still names it
      }
      const sha = typeof reason.sha256 === 'string' ? reason.sha256.toLowerCase() : '';
      const file = typeof reason.file === 'string' ? reason.file.normalize('NFC') : '';
      if (!SHA.test(sha) || !(file === wanted || file.slice(file.lastIndexOf('/') + 1) === base || wanted.endsWith(`/${file}`))) continue;
      if (!found.has(sha)) found.set(sha, { sha, day });
    }
  }
  return [...found.values()];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The folder the copy goes to: --inbox (the tree given to `run`), the partner's configured inbox, or the one inbox `run` took files from on the refusal's day. */
async function destination(rec: Pick<ReopenRecord, 'file' | 'partner' | 'refusedDay'>, config: Config, inbox: string | undefined, journalDir: string): Promise<string> {
  const rel = rec.file;
  const partner = config.partners.find((p) => p.id === rec.partner);
  // the partner's own inbox given: the file goes into it, not into a sub-folder named after the partner
  if (inbox !== undefined && partner?.inbox && path.resolve(inbox) === path.resolve(partner.inbox)) return path.resolve(partner.inbox);
  if (inbox !== undefined) return path.resolve(inbox, path.dirname(rel));
  if (partner?.inbox && !isBundledExample(config)) {
    const inside = rel.startsWith(`${rec.partner}/`) ? rel.slice(rec.partner.length + 1) : path.basename(rel);
    return path.resolve(partner.inbox, path.dirname(inside));
  }
  const { lines } = await readJournalDay(journalDir, rec.refusedDay).catch(() => ({ lines: [] as never[] }));
  const runs = [...new Set(lines.flatMap((l) => (l.event === 'start' && l.mode === 'run' && l.inbox ? [l.inbox] : [])))];
  if (runs.length === 1) return path.resolve(runs[0], path.dirname(rel));
  throw new UsageError(
    runs.length === 0
      ? `partner ${rec.partner} has no inbox in the configuration, and no run took files on ${rec.refusedDay}: give --inbox <dir>, the inbox tree given to \`run\``
      : `runs took files from ${runs.length} inboxes on ${rec.refusedDay} (${runs.join(', ')}): give --inbox <dir>, the one given to \`run\` for ${rec.file}`,
  );
}

/**
 * The temp file a reprocess killed while copying left beside `target` (`.<name>.<host>~<pid>~…tmp`,
 * atomic-write.ts; `<name>` cut to fit a long name's within 255 bytes), its writer gone: removed.
 * Nothing else of the partner's folder is touched. Until 2026-12-07 it was looked for as
 * `.<name>.…`: the temp of a name too long to stay whole in it (over some 170 to 220 bytes, multi-byte
 * letters counting 2 or 3) was never found, and the dot-file stayed in the inbox for good (the
 * watcher and run pass dot-files over).
 */
async function removeOwnDeadTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const pid = tempWriterOf(target, n);
    if (pid === undefined) continue; // another file's, or another machine's writer: its own to judge
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) await fs.rm(path.join(dir, n), { force: true });
  }
}

/** `name`, then `stem-2.ext`, `stem-3.ext`…: a name the partner may have re-used meanwhile is never overwritten. */
function candidateName(name: string, n: number): string {
  if (n === 1) return name;
  const ext = path.extname(name);
  // cut to a name's 255 bytes before its `-n.ext` (else a long name taken in the inbox could not be copied back: ENAMETOOLONG)
  const keepExt = Buffer.byteLength(ext) + 8 < NAME_MAX_BYTES;
  const tail = keepExt ? `-${n}${ext}` : `-${n}`;
  const stem = keepExt ? name.slice(0, name.length - ext.length) : name;
  return `${utf8Prefix(stem, NAME_MAX_BYTES - Buffer.byteLength(tail))}${tail}`;
}

/** Whether the `reopened` line of this reopening is in the journal (a run killed between the line and its record). */
async function journaled(journalDir: string, rec: ReopenRecord, timezone: string): Promise<string | undefined> {
  const id = reopenId(rec);
  const today = dayOf(new Date(), timezone);
  for (let day = dayOf(new Date(rec.at), timezone); day <= today; day = addDays(day, 1)) {
    const { lines } = await readJournalDay(journalDir, day).catch(() => ({ lines: [] as never[] }));
    const l = lines.find((x) => x.event === 'reopened' && x.sha256 === rec.sha256 && x.id === id);
    if (l) return l.ts;
  }
  return undefined;
}

export async function reprocessCommand(whats: string[], opts: ReprocessCommandOptions, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (whats.length === 0) throw new UsageError('name the refused files to reprocess: the path of the copy under error/, its SHA-256, or its name');
  const reason = opts.reason?.trim();
  if (!reason) throw new UsageError('give --reason "<text>": why the refusal was ours and what was fixed (journaled whole)');
  if (opts.out === '') throw new UsageError('--out is empty: give the output root the file was refused in');
  if (opts.inbox === '') throw new UsageError('--inbox is empty: give the inbox tree given to `run`');
  const config = loadConfig(opts.config, { out: opts.out });
  refuseForeignOwner('reprocess', config, opts);
  const paths = statePaths(config);
  if (!existsSync(paths.files)) throw new UsageError(`${paths.files} does not exist: nothing was ever processed with this output root (${outputRootOrigin(config, opts.out !== undefined, 'paths.state')})`);
  // --config forgotten on a tree a configuration file wrote (tree-config.ts)
  refuseTreeOfOtherConfig('reprocess', config, "the bundled example's partners would decide where the refused files go back (not the partners' configured inboxes, nor their .done markers), journaled in its time zone");
  const marks = new ProcessedFiles(config.paths.state);
  const reopenings = new Reopenings(config.paths.state);
  const journal = new Journal({ dir: paths.journal, clock: systemClock, timezone: config.timezone });
  const locks = path.join(config.paths.state, 'locks');
  const by = osUser();
  const reports: ReprocessReport[] = [];
  // each said as it is done: a later content that stops the command (no inbox to put it back
  // into: exit 2) leaves the ones reopened before it told (they were silent until 2026-12-07)
  const report = (r: ReprocessReport) => {
    reports.push(r);
    write(`${r.result === 'cannot' ? 'not reopened' : r.result}: ${r.what}${r.sha256 && r.sha256 !== r.what ? ` (content ${r.sha256})` : ''}: ${r.detail}\n`);
  };
  try {
    for (const what of whats) {
      const found = await resolve(what, config, marks, reopenings);
      if ('cannot' in found) {
        report({ what, result: 'cannot', detail: found.cannot });
        continue;
      }
      const { sha } = found;
      const r = await withFileLock(path.join(locks, `${sha}.lock`), () => reopenOne(sha), { staleMs: Math.max(120_000, config.worker.lockDurationMs * 4), timeoutMs: 60_000 });
      report({ what, sha256: sha, ...r });
    }
  } finally {
    await journal.close().catch(() => undefined);
  }
  return reports.some((r) => r.result === 'cannot') ? 1 : 0;

  /** Under the content's lock: the reopening begun, continued, or said why not. */
  async function reopenOne(sha: string): Promise<Omit<ReprocessReport, 'what' | 'sha256'>> {
    const mark = await marks.get(sha);
    let current = reopenings.get(sha);
    if (current && mark && mark.at !== current.refusedAt) {
      // the reopened copy's attempt has an outcome: another reopening only after another whole refusal
      if (!(mark.outcome === 'refused' && mark.journaled)) {
        return { result: 'cannot', detail: `reopened on ${current.at.slice(0, 10)} by ${current.by}; processed again since: ${describeOutcome(mark)}. Nothing to reprocess` };
      }
      await reopenings.retire(sha, 'reopen', reopenId(current));
      current = undefined;
    }
    if (current) return continueReopening(current, mark !== undefined, false);
    const cannot = whyNot(sha, mark);
    if (cannot) return { result: 'cannot', detail: cannot };
    const m = mark as ProcessedRecord;
    const original = m.outputs.find((o) => o.kind === 'error')?.path;
    if (!original || !existsSync(path.join(config.paths.out, original))) {
      return { result: 'cannot', detail: `its kept original ${original ? path.join(config.paths.out, original) : '(none journaled)'} is gone: restore it from a backup (its SHA-256 is ${sha}), or ask the partner to send the file again under another content` };
    }
    const attempt = marks.getAttempt(sha);
    const refusedDay = attempt?.day ?? path.basename(path.dirname(original));
    // the partner's own name (its inbox path's last part), not the kept original's: that one is
    // hash-tagged (facture.<12 hex>.xml) when another content of the name was kept that day
    // before it, and the refused file left in the inbox, to be given its new receipt time, is
    // under the partner's name (copied beside it under the tagged one, it stayed with the
    // refused attempt's receipt time, its mark gone: taken again with the first 93's name)
    const own = path.basename(m.file);
    const rec: ReopenRecord = {
      sha256: sha,
      name: own && own !== '.' && own !== '..' ? own : path.basename(original),
      file: m.file,
      partner: m.partner,
      by,
      reason: reason as string,
      refusedDay,
      refusedAt: m.at,
      original,
      at: new Date().toISOString(),
    };
    // the destination is settled before anything is written: a usage problem leaves nothing behind
    const dir = await destination(rec, config, opts.inbox, paths.journal);
    const withDir = { ...rec, dir };
    await reopenings.put(withDir);
    faultPoint('after-reopen-record');
    return continueReopening(withDir, true, true);
  }

  /** Why a content with no reopening under way cannot be reopened (undefined: it can). */
  function whyNot(sha: string, mark: ProcessedRecord | undefined): string | undefined {
    if (!mark) {
      const attempt = marks.getAttempt(sha);
      if (attempt) return `not finished: an attempt at it began at ${attempt.at} (${attempt.relPath} from ${attempt.partner}) and has no outcome yet; wait for it (chorus-flux jobs, chorus-flux trace ${sha.slice(0, 12)})`;
      return `no outcome known for this content in ${config.paths.state}: never processed with this output root, or its processed mark pruned (then the same bytes dropped again are processed anew already)`;
    }
    if (!mark.journaled) return `not finished: its outcome (${mark.outcome}) may not be in the journal yet (an interrupted attempt); the next run or worker that meets the content journals it: run this again after`;
    if (mark.outcome !== 'refused') return `${describeOutcome(mark)}: only a file refused whole can be reprocessed${mark.outcome === 'partial' ? ' (the invoices refused in it are sent again by their supplier, corrected)' : mark.outcome === 'suspended' ? ' (a suspended invoice is completed by its supplier, or rejected: chorus-flux reject)' : ''}`;
    // a file set aside ended its worker at every try: processed again, it may end them again
    if (!opts.evenIfSetAside && mark.event?.findings?.some((f) => f.rule === SET_ASIDE_RULE)) {
      return `${describeOutcome(mark)} by an operator's set-aside (${SET_ASIDE_RULE}: it ended its worker at every try): processed again it may end the workers again; once its cause is fixed, add --even-if-set-aside`;
    }
    return undefined;
  }

  function describeOutcome(mark: ProcessedRecord): string {
    return `${mark.file} from ${mark.partner} was ${mark.outcome} at ${mark.at}`;
  }

  /** The steps left of a reopening (each recorded before the next), then where its copy is. */
  async function continueReopening(rec0: ReopenRecord, markMayBeThere: boolean, fresh: boolean): Promise<Omit<ReprocessReport, 'what' | 'sha256'>> {
    let rec = rec0;
    const copiedBefore = rec.copied === true;
    const sha = rec.sha256;
    const id = reopenId(rec);
    if (rec.journaledAt === undefined) {
      const ts =
        (fresh ? undefined : await journaled(paths.journal, rec, config.timezone)) ??
        (
          await journal.append({ event: 'reopened', sha256: sha, file: rec.file, partner: rec.partner, name: rec.name, by: rec.by, reason: rec.reason, refusedDay: rec.refusedDay, original: rec.original, id })
        ).ts;
      faultPoint('after-reopen-journal');
      rec = { ...rec, journaledAt: ts };
      await reopenings.put(rec);
      faultPoint('after-reopen-journaled');
    }
    // the refused attempt's record first, then its mark: a mark gone with its record left would make the next deposit a replay of the refused attempt
    const mark = markMayBeThere ? await marks.get(sha) : undefined;
    const dir = rec.dir ?? (await destination(rec, config, opts.inbox, paths.journal));
    if (mark && mark.at === rec.refusedAt) {
      // the refused file left in the inbox (a `run` without --remove) gets its new receipt time
      // before its mark goes: a run that met it between the two (this command killed there, then
      // the nightly run) took it as a new attempt with the refused one's receipt time, so its
      // flow salt: refused again, its 93 had the first one's name and IdFlx (written over it, the
      // partner told nothing new). Its mark still there, a run meanwhile says already-processed.
      const left = path.join(dir, rec.name);
      if (existsSync(left) && (await sha256OfFile(left).catch(() => undefined)) === sha) {
        const now = new Date();
        await fs.utimes(left, now, now);
      }
      await reopenings.retire(sha, 'attempt', id);
      faultPoint('after-reopen-retire-attempt');
      await reopenings.retire(sha, 'json', id);
      faultPoint('after-reopen-retire');
    }
    const source = path.join(config.paths.out, rec.original);
    const taken = async () => (await marks.get(sha)) !== undefined || marks.getAttempt(sha) !== undefined || (await waitingContents(config.paths.processing)).has(sha);
    if (!rec.copied && rec.copyTo !== undefined) {
      // a run cut short after choosing the name: the copy is there, taken already, or still to make
      const there = existsSync(rec.copyTo) ? (await sha256OfFile(rec.copyTo).catch(() => undefined)) === sha : false;
      if (await taken()) {
        rec = { ...rec, copied: true };
        await reopenings.put(rec);
      } else if (there) {
        // made, or the refused file left there (then perhaps not given its new receipt time yet)
        const now = new Date();
        await fs.utimes(rec.copyTo, now, now);
        rec = { ...rec, copied: true };
        await reopenings.put(rec);
      } else if (!existsSync(rec.copyTo)) {
        await removeOwnDeadTemps(rec.copyTo);
        rec = await copyTo(rec, rec.copyTo, source);
      }
    }
    for (let n = 1; !rec.copied; n++) {
      if (n > 1000) throw new Error(`no free name for ${rec.name} in ${dir}`);
      const target = path.join(dir, candidateName(rec.name, n));
      if (existsSync(target)) {
        // the refused file itself, left in the inbox (a `run` without --remove): it is the copy,
        // given a new receipt time (its mtime and ctime): its attempt's flow salt, so its flows'
        // names and IdFlx, must not be the refused attempt's
        if (n !== 1 || (await sha256OfFile(target).catch(() => undefined)) !== sha) continue;
        rec = { ...rec, copyTo: target };
        await reopenings.put(rec);
        faultPoint('after-reopen-copy-chosen');
        const now = new Date();
        await fs.utimes(target, now, now);
        rec = { ...rec, copied: true, inPlace: true };
        await reopenings.put(rec);
        break;
      }
      rec = { ...rec, copyTo: target };
      await reopenings.put(rec);
      faultPoint('after-reopen-copy-chosen');
      rec = await copyTo(rec, target, source);
    }
    await doneMarker(rec);
    const where = rec.copyTo as string;
    if (fresh || !copiedBefore) return { result: 'reopened', detail: `refused on ${rec.refusedDay}; ${fresh ? '' : `a reopening begun at ${rec.at} by ${rec.by} finished; `}${rec.inPlace ? `still in the inbox as ${where}, given a new receipt time` : `copied back to ${where}`}: the next run or watch processes it as a new attempt (new flows; the first refusal's stay)` };
    if (existsSync(where) && (await sha256OfFile(where).catch(() => undefined)) === sha) return { result: 'already-reopened', detail: `already reopened at ${rec.at} by ${rec.by}, waiting in ${where}` };
    const now = await marks.get(sha);
    if (now) return { result: 'already-reopened', detail: `already reopened at ${rec.at} by ${rec.by}, and processed again since: ${describeOutcome(now)}` };
    return { result: 'already-reopened', detail: `already reopened at ${rec.at} by ${rec.by}; its copy ${where} was taken and is being processed (no outcome yet)` };
  }

  /** The copy made under `target` (no clobber); a name taken meanwhile: the next one is chosen by the caller. */
  async function copyTo(rec: ReopenRecord, target: string, source: string): Promise<ReopenRecord> {
    try {
      await copyFileAtomic(source, target, { noClobber: true, expectSha256: rec.sha256, beforeLink: () => faultPoint('after-reopen-copy-temp') });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { ...rec, copyTo: undefined };
      throw e;
    }
    faultPoint('after-reopen-copy');
    const done = { ...rec, copyTo: target, copied: true };
    await reopenings.put(done);
    return done;
  }

  /** A partner whose files are taken once `<name>.done` is there: the marker too, while the copy waits. */
  async function doneMarker(rec: ReopenRecord): Promise<void> {
    const partner = config.partners.find((p) => p.id === rec.partner);
    if (!partner?.doneMarker || !rec.copyTo || !existsSync(rec.copyTo)) return;
    await fs.writeFile(`${rec.copyTo}.done`, '', { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
}
