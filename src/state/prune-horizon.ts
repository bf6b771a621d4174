/**
 * The shortest retention processed marks were ever pruned with. A deposit is replayed (its
 * outputs written again, a crash's way) only while its mark may still exist: past the
 * retention, the same bytes are a new deposit and a known invoice a DOUBLON. `prune --days 30`
 * under a configured 400, or a retention lowered then raised, removed marks the replay window
 * still counted on: the same bytes dropped 60 days later went out again as a second pivot.
 * So the prune writes down how short it went, before it removes anything, and the window is
 * never longer than that.
 */
import path from 'node:path';
import { writeFileAtomic } from '../emit/atomic-write';
import { readFileIfExists } from '../util/read-if-exists';
import { withFileLock } from './file-lock';

const FILE = 'prune-horizon.json';

interface Horizon {
  /** marks older than this many days (+1) may have been removed */
  days: number;
  /** when that prune ran */
  at: string;
  /** the file could not be read: taken as the shortest prune */
  damaged?: true;
}

/**
 * The recorded horizon. A file that cannot be read as one (cut by a power cut, edited by hand)
 * is taken as the shortest prune allowed, 30 days: a replay window too short only makes an old
 * copy a DOUBLON, where one too long sends it out again. It is never a reason to stop.
 */
function read(stateDir: string): Horizon | undefined {
  // asked once per inbound file, and missing until a first prune: a failed read's exception cost more than the stat
  const bytes = readFileIfExists(path.join(stateDir, FILE));
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  try {
    const h = JSON.parse(text) as Partial<Horizon> | null;
    if (h && Number.isSafeInteger(h.days) && (h.days as number) >= 0) return { days: h.days as number, at: String(h.at ?? '') };
  } catch {
    /* taken as the shortest below */
  }
  return { days: SHORTEST_PRUNE_DAYS, at: '', damaged: true };
}

/** The shortest retention `prune` takes (option-values.ts retentionDays). */
const SHORTEST_PRUNE_DAYS = 30;

/**
 * Notes that marks are about to be pruned with `days`, when that is shorter than any prune
 * before. Under a lock: two prunes at once (cron's and the nightly job's) must not leave the
 * longer of the two written.
 */
export async function recordPruneDays(stateDir: string, days: number, now = new Date()): Promise<void> {
  await withFileLock(path.join(stateDir, 'locks', 'prune-horizon.lock'), async () => {
    const before = read(stateDir);
    if (before && !before.damaged && before.days <= days) return;
    const shortest = before ? Math.min(before.days, days) : days;
    await writeFileAtomic(path.join(stateDir, FILE), `${JSON.stringify({ days: shortest, at: now.toISOString() })}\n`, { immediate: true });
  });
}

/** How many days a recorded decision is replayed: the configured retention, or less when marks were pruned shorter. */
export function replayWindowDays(stateDir: string, configuredDays: number): number {
  const h = read(stateDir);
  return h ? Math.min(configuredDays, h.days) : configuredDays;
}
