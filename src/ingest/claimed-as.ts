/**
 * What a file of the processing area was called in its inbox. Its claimed name keeps only the
 * base name (cut to fit past 255 bytes), while its job carries its whole inbox path
 * (`op-alpha/sub/f.xml`). When Redis loses the job, the rescan queues the file again: from its
 * claimed name alone it was processed and journaled as `op-alpha/f.xml`, another file than
 * the one claimed. The `claimed` journal line keeps the path, and is read back for a watcher
 * that did not claim the file itself (restarted with Redis, after a reboot).
 */
import { dayOf } from '../util/clock';
import { readJournalDayStream } from '../reconcile/read-journal';
import { claimTimeMs } from './claim';

/** A claim's journal line is appended after the file is hashed: on the claim's day, or the next one when the claim was this close to midnight. */
const CLAIM_LINE_LAG_MS = 10 * 60_000;

/** The inbox path (partner first) of each claim id the journal's `claimed` lines name. */
export async function claimedPaths(journalDir: string, timezone: string, claimIds: Iterable<string>): Promise<Map<string, string>> {
  const wanted = new Set(claimIds);
  const found = new Map<string, string>();
  const days = new Set<string>();
  for (const id of wanted) {
    const t = claimTimeMs(id);
    if (t === undefined) continue;
    days.add(dayOf(new Date(t), timezone));
    days.add(dayOf(new Date(t + CLAIM_LINE_LAG_MS), timezone));
  }
  for (const day of [...days].sort()) {
    await readJournalDayStream(journalDir, day, {
      accept: (text) => text.includes('"event":"claimed"'),
      onLine: (line) => {
        if (line.event === 'claimed' && wanted.has(line.claimId) && typeof line.file === 'string') found.set(line.claimId, line.file);
      },
    });
  }
  return found;
}
