/**
 * Removes the processed marks (state/files/) older than `retention.processedMarksDays`, with
 * the replies of the same contents. A mark only serves to recognise the same bytes dropped
 * again; kept for ever they would grow by one file per inbound file (60 million a year at
 * Chorus Pro's volume). Once a mark is gone, the same bytes are a new deposit, and the
 * lifecycle, which keeps every invoice, refuses known invoices as duplicates: a deposit older
 * than the same retention is not replayed (lifecycle/deposit.ts).
 *
 * The age is the mark's mtime, which is at or after its deposit; one day more is kept, so a
 * mark is never removed while its deposit could still be taken for a crash's replay, even
 * with the clocks of two machines a little apart. A mark whose outcome may not be in the
 * journal yet (an interrupted attempt) is kept whatever its age: it holds that line.
 * A content's attempt record (the identity its outputs carry, processed-files.ts) goes with its
 * mark, or, left alone by an attempt that never got a mark (its file failed and never came back),
 * once it is as old itself, unless its file still waits in the processing area (a failed job,
 * waiting-contents.ts). Both are removed before the mark: a prune cut short, or a worker
 * meeting the content between the two, must never find them without it (a stale attempt record
 * turns the same bytes dropped again into a replay of the attempt of then).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { DAY_MS } from '../lifecycle/replay-window';
import { faultPoint } from '../util/fault';
import { ATTEMPT_FILE, MARK_FILE, ProcessedFiles, REPLY_FILE } from './processed-files';
import { REOPEN_FILE, RETIRED_FILE } from './reopenings';
import { recordPruneDays } from './prune-horizon';

export interface PruneOptions {
  /** marks older than this many days go (the configuration's retention.processedMarksDays) */
  days: number;
  /** the time to count from. Default: now. */
  now?: Date;
  /** count only, remove nothing. Default false. */
  dryRun?: boolean;
  /** told every `progressEvery` files looked at. Default: never. */
  onProgress?: (p: PruneResult) => void;
  /** Default 100,000. */
  progressEvery?: number;
  /**
   * The contents still waiting in the processing area (waiting-contents.ts), asked once, when
   * an old attempt record with no mark is met: theirs stay. Default: none waits.
   */
  waiting?: () => Promise<ReadonlySet<string>>;
}

export interface PruneResult {
  /** files looked at under state/files/ */
  scanned: number;
  /** marks removed (or that would be, with dryRun) */
  removed: number;
  /** replies removed with them, or older than the retention themselves with no mark */
  repliesRemoved: number;
  /** attempt records removed with them, or older than the retention with no mark */
  attemptsRemoved: number;
  /**
   * a content's reopening (`<sha>.reopen`, chorus-flux reprocess) and the history names it
   * retired a mark and an attempt record to (`<sha>.retired-…`): removed once older than the
   * retention themselves (their mtime is the reopening's)
   */
  historyRemoved: number;
  /** old marks kept because their outcome line may not be in the journal */
  keptUnjournaled: number;
  /** old attempt records with no mark kept because their file still waits in the processing area */
  keptWaiting: number;
  /** the cut-off: files modified before it go */
  before: string;
}

async function remove(file: string, dryRun: boolean): Promise<boolean> {
  if (dryRun) return true;
  try {
    await fs.unlink(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false; // another pruner was first
    throw e;
  }
}

/** What a bucket holds of one content (by its SHA-256), in one small number: a bucket holds 250,000 at Chorus Pro's volume. */
const MARK = 1;
const MARK_OLD = 2;
const ATTEMPT = 4;
const ATTEMPT_OLD = 8;

export async function pruneProcessedMarks(stateDir: string, opts: PruneOptions): Promise<PruneResult> {
  const now = opts.now ?? new Date();
  const cutoff = now.getTime() - (opts.days + 1) * DAY_MS;
  const result: PruneResult = { scanned: 0, removed: 0, repliesRemoved: 0, attemptsRemoved: 0, historyRemoved: 0, keptUnjournaled: 0, keptWaiting: 0, before: new Date(cutoff).toISOString() };
  const every = opts.progressEvery ?? 100_000;
  const root = path.join(stateDir, 'files');
  const marks = new ProcessedFiles(stateDir);
  const dryRun = opts.dryRun === true;
  let waiting: Promise<ReadonlySet<string>> | undefined;
  // written before any mark goes: a crash mid-prune must not leave marks gone and the window unchanged
  if (!opts.dryRun && existsSync(root)) await recordPruneDays(stateDir, opts.days, now);
  faultPoint('after-prune-horizon');
  let buckets: string[];
  try {
    // folders only: a stray file with a bucket's name (a copy, an editor's) stopped every prune, each night
    buckets = (await fs.readdir(root, { withFileTypes: true }))
      .filter((b) => b.isDirectory() && /^[0-9a-f]{2}$/.test(b.name))
      .map((b) => b.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result; // nothing processed yet
    throw e;
  }
  for (const bucket of buckets) {
    const dir = path.join(root, bucket);
    // the bucket is read whole first: a content's mark, replies and attempt record go together, mark last
    const contents = new Map<string, number>();
    const replies = new Map<string, { name: string; old: boolean }[]>();
    for await (const entry of await fs.opendir(dir)) {
      if (!entry.isFile()) continue;
      if (REOPEN_FILE.test(entry.name) || RETIRED_FILE.test(entry.name)) {
        // read by `reprocess` alone: it goes when it is old itself, whatever its content's mark
        const file = path.join(dir, entry.name);
        const mtime = (await fs.stat(file).catch(() => undefined))?.mtimeMs;
        if (mtime !== undefined && mtime < cutoff && (await remove(file, dryRun))) result.historyRemoved++;
        continue;
      }
      const isMark = MARK_FILE.test(entry.name);
      const isAttempt = ATTEMPT_FILE.test(entry.name);
      if (!isMark && !isAttempt && !REPLY_FILE.test(entry.name)) continue; // a temporary file of a writer: not ours
      // attempt records are not counted in `scanned` (the marks and replies looked at)
      if (!isAttempt) {
        result.scanned++;
        if (result.scanned % every === 0) opts.onProgress?.({ ...result });
      }
      let mtime: number;
      try {
        mtime = (await fs.stat(path.join(dir, entry.name))).mtimeMs;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const old = mtime < cutoff;
      const sha = entry.name.slice(0, 64);
      const bits = isMark ? MARK | (old ? MARK_OLD : 0) : isAttempt ? ATTEMPT | (old ? ATTEMPT_OLD : 0) : 0;
      contents.set(sha, (contents.get(sha) ?? 0) | bits);
      if (!isMark && !isAttempt) replies.set(sha, [...(replies.get(sha) ?? []), { name: entry.name, old }]);
    }
    for (const [sha, c] of contents) {
      let markGoes = false;
      if (c & MARK_OLD) {
        // read as the pipeline reads it; a damaged mark counts as absent there, so it goes too
        const rec = await marks.get(sha);
        if (rec && !rec.journaled) result.keptUnjournaled++;
        else markGoes = true;
      }
      // an attempt record serves while its mark may be lost: it goes with it, or old with no mark
      // (an attempt never finished) unless its file still waits in processing/ (a failed job,
      // whose retry or set-aside needs it, months later as the next day); beside a mark that
      // stays (young, or not journaled) it stays. Before the mark: left behind by a crash, or met
      // by a worker once the mark is gone, it made the same bytes dropped again a replay of the
      // attempt of then (another partner's file, told DOUBLON for it) instead of a new deposit
      const orphan = !markGoes && (c & ATTEMPT_OLD) !== 0 && (c & MARK) === 0;
      if (orphan && (await (waiting ??= opts.waiting?.() ?? Promise.resolve(new Set<string>()))).has(sha)) result.keptWaiting++;
      else if (c & ATTEMPT && (markGoes || orphan)) {
        if (await remove(path.join(dir, `${sha}.attempt`), dryRun)) result.attemptsRemoved++;
        if (markGoes) faultPoint('after-prune-attempt');
      }
      // a reply is read alongside its mark (the partner was told once): it goes with it (before it,
      // as the attempt), or old with no mark. Beside a mark that stays (one written again since, by
      // a replay after a power cut lost it) it stays: gone, the partner's next copy was told again,
      // under the first reply's name and IdFlx, with other bytes
      for (const r of replies.get(sha) ?? []) {
        if (!markGoes && !(r.old && (c & MARK) === 0)) continue;
        if (await remove(path.join(dir, r.name), dryRun)) result.repliesRemoved++;
        if (markGoes) faultPoint('after-prune-reply');
      }
      if (markGoes && (await remove(path.join(dir, `${sha}.json`), dryRun))) result.removed++;
    }
  }
  return result;
}
