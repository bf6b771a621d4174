/**
 * The shortest retention processed marks were ever pruned with. A deposit is replayed (its
 * outputs written again, a crash's way) only while its mark may still exist: past the
 * retention, the same bytes are a new deposit and a known invoice a DOUBLON. `prune --days 30`
 * under a configured 400, or a retention lowered then raised, removed marks the replay window
 * still counted on: the same bytes dropped 60 days later went out again as a second pivot.
 * So the prune writes down how short it went, before it removes anything, and the window is
 * never longer than that.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../emit/atomic-write';

const FILE = 'prune-horizon.json';

interface Horizon {
  /** marks older than this many days (+1) may have been removed */
  days: number;
  /** when that prune ran */
  at: string;
}

function read(stateDir: string): Horizon | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(stateDir, FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const h = JSON.parse(text) as Horizon;
  if (!Number.isSafeInteger(h.days) || h.days < 0) throw new Error(`${path.join(stateDir, FILE)} holds no number of days: restore it or remove it (then the configured retention is the replay window)`);
  return h;
}

/** Notes that marks are about to be pruned with `days`, when that is shorter than any prune before. */
export async function recordPruneDays(stateDir: string, days: number, now = new Date()): Promise<void> {
  const before = read(stateDir);
  if (before && before.days <= days) return;
  await writeFileAtomic(path.join(stateDir, FILE), `${JSON.stringify({ days, at: now.toISOString() })}\n`, { immediate: true });
}

/** How many days a recorded decision is replayed: the configured retention, or less when marks were pruned shorter. */
export function replayWindowDays(stateDir: string, configuredDays: number): number {
  const h = read(stateDir);
  return h ? Math.min(configuredDays, h.days) : configuredDays;
}
