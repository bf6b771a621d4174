/**
 * When `watch` says an upload folder it does not read (stray-folders.ts): when first seen, then
 * at most once an hour while files wait there — a rescan every 30 s saying it each time would
 * bury the rest of the log, and a line a day would be missed. A folder emptied (its files moved,
 * or its partner configured) is forgotten: said once as cleared, and at once again if files come back.
 */

/** How long a folder still holding files goes unsaid. */
export const STRAY_REPEAT_MS = 60 * 60_000;

export class StrayNotices {
  /** when each folder holding files was last said (a clock that never jumps) */
  private readonly said = new Map<string, number>();

  /** Whether a folder holding files is to be said now; if so, it is taken as said. */
  due(folder: string, now: number): boolean {
    const last = this.said.get(folder);
    if (last !== undefined && now - last < STRAY_REPEAT_MS) return false;
    this.said.set(folder, now);
    return true;
  }

  /** The folders said before that no longer hold files (`holding`: those that do now), forgotten. */
  cleared(holding: ReadonlySet<string>): string[] {
    const gone = [...this.said.keys()].filter((f) => !holding.has(f));
    for (const f of gone) this.said.delete(f);
    return gone;
  }
}
