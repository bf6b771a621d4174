/**
 * How long a decision recorded for some bytes is replayed when the same bytes come again:
 * while their processed mark may still exist, that is `retention.processedMarksDays`. Past
 * it the mark may have been pruned (state/prune-marks.ts) and the bytes are a new deposit,
 * never a crash's replay (which comes within minutes): what was emitted then is not again.
 */
export const DAY_MS = 86_400_000;

export interface ReplayWindow {
  now: Date;
  days: number;
}

/** Whether a decision recorded at `at` (ISO) is still replayed; without a window, always. */
export function withinReplayWindow(at: string, window: ReplayWindow | undefined): boolean {
  if (!window) return true;
  const t = Date.parse(at);
  // an unreadable date: a replay, as before retention existed (rewriting beats losing)
  return Number.isNaN(t) || window.now.getTime() - t < window.days * DAY_MS;
}
