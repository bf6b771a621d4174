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
 * once it is as old itself.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { DAY_MS } from '../lifecycle/replay-window';
import { ATTEMPT_FILE, MARK_FILE, ProcessedFiles, REPLY_FILE } from './processed-files';
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
}

export interface PruneResult {
  /** files looked at under state/files/ */
  scanned: number;
  /** marks removed (or that would be, with dryRun) */
  removed: number;
  /** replies removed with them, or older than the retention themselves */
  repliesRemoved: number;
  /** attempt records removed with them, or older than the retention with no mark */
  attemptsRemoved: number;
  /** old marks kept because their outcome line may not be in the journal */
  keptUnjournaled: number;
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

export async function pruneProcessedMarks(stateDir: string, opts: PruneOptions): Promise<PruneResult> {
  const now = opts.now ?? new Date();
  const cutoff = now.getTime() - (opts.days + 1) * DAY_MS;
  const result: PruneResult = { scanned: 0, removed: 0, repliesRemoved: 0, attemptsRemoved: 0, keptUnjournaled: 0, before: new Date(cutoff).toISOString() };
  const every = opts.progressEvery ?? 100_000;
  const root = path.join(stateDir, 'files');
  const marks = new ProcessedFiles(stateDir);
  // written before any mark goes: a crash mid-prune must not leave marks gone and the window unchanged
  if (!opts.dryRun && existsSync(root)) await recordPruneDays(stateDir, opts.days, now);
  let buckets: string[];
  try {
    buckets = (await fs.readdir(root)).filter((b) => /^[0-9a-f]{2}$/.test(b)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result; // nothing processed yet
    throw e;
  }
  for (const bucket of buckets) {
    const dir = path.join(root, bucket);
    const oldMarks = new Set<string>();
    const replies: { name: string; old: boolean }[] = [];
    const attempts: { name: string; old: boolean }[] = [];
    const marksHere = new Set<string>();
    for await (const entry of await fs.opendir(dir)) {
      if (!entry.isFile()) continue;
      const isMark = MARK_FILE.test(entry.name);
      if (ATTEMPT_FILE.test(entry.name)) {
        // not counted in `scanned` (the marks and replies looked at): judged after the bucket's marks
        const mtime = await fs.stat(path.join(dir, entry.name)).then((st) => st.mtimeMs, () => undefined);
        if (mtime !== undefined) attempts.push({ name: entry.name, old: mtime < cutoff });
        continue;
      }
      if (!isMark && !REPLY_FILE.test(entry.name)) continue; // a temporary file of a writer: not ours
      if (isMark) marksHere.add(entry.name.slice(0, 64));
      result.scanned++;
      if (result.scanned % every === 0) opts.onProgress?.({ ...result });
      const file = path.join(dir, entry.name);
      let mtime: number;
      try {
        mtime = (await fs.stat(file)).mtimeMs;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const old = mtime < cutoff;
      if (!isMark) {
        replies.push({ name: entry.name, old });
        continue;
      }
      if (!old) continue;
      // read as the pipeline reads it; a damaged mark counts as absent there, so it goes too
      const rec = await marks.get(entry.name.slice(0, 64));
      if (rec && !rec.journaled) {
        result.keptUnjournaled++;
        continue;
      }
      if (await remove(file, opts.dryRun === true)) result.removed++;
      oldMarks.add(entry.name.slice(0, 64));
    }
    // a reply is only read alongside its mark: it goes with it, or when it is as old itself
    for (const r of replies) {
      if (!r.old && !oldMarks.has(r.name.slice(0, 64))) continue;
      if (await remove(path.join(dir, r.name), opts.dryRun === true)) result.repliesRemoved++;
    }
    // an attempt record serves while its mark may be lost: it goes with it, or old with no mark
    // (an attempt never finished); beside a mark that stays (young, or not journaled) it stays
    for (const a of attempts) {
      const sha = a.name.slice(0, 64);
      if (!oldMarks.has(sha) && (!a.old || marksHere.has(sha))) continue;
      if (await remove(path.join(dir, a.name), opts.dryRun === true)) result.attemptsRemoved++;
    }
  }
  return result;
}
