/**
 * A `.done` marker left behind by a claim. `watch` claims a file (a rename into processing/)
 * and then removes its marker: a watcher killed between the two (kill -9, the OOM killer, a
 * power cut) left the marker alone, and it announced the partner's NEXT upload of that name
 * finished from its first byte: half a file was taken and refused as malformed (a rejection
 * sent to the partner for a file it was still sending).
 *
 * The marker is not removed before the rename instead: killed between those two, the whole
 * file would wait unannounced for ever (its partner saw the marker taken, as at every claim,
 * and waits for an outcome; nothing would tell it or the operator to drop one again), and a
 * claim that fails (processing/ not writable) would have to put the marker back. The claimed
 * file itself tells that its marker was used: it stays in processing/ until a rescan queues
 * it. So each rescan, before it takes anything, removes a marker dropped no later than a claim
 * of the same name still in processing/. Its change time (ctime, which no SFTP client can set)
 * is compared with the claim id's time. A file now under the marker's name is:
 * - older than that claim: another file of that name (claimed names keep the base name only:
 *   the claim took a twin of another sub-folder), and the marker is its own: kept;
 * - newer than that claim: the next upload, which waits for its own marker.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { claimedName, claimTimeMs, newClaimId, parseClaimed } from './claim';
import { openPath, type InboxEntry } from './scan';

export interface ClaimOfName {
  claimId: string;
  /** as in the claimed name: cut to fit when long */
  name: string;
  atMs: number;
}

/** The claims waiting in processing/<partner>/, by the name they keep. */
export async function claimsWaiting(processingDir: string, partner: string): Promise<Map<string, ClaimOfName[]>> {
  const byName = new Map<string, ClaimOfName[]>();
  const names = await fs.readdir(path.join(processingDir, partner)).catch(() => [] as string[]);
  for (const n of names) {
    const c = parseClaimed(n, partner);
    const atMs = c && claimTimeMs(c.claimId);
    if (!c || atMs === undefined) continue;
    byName.set(c.name, [...(byName.get(c.name) ?? []), { claimId: c.claimId, name: c.name, atMs }]);
  }
  return byName;
}

const SUFFIX = '.done';

/** The claim that used the marker `marker`, when one did (it is stale then); undefined when it may still announce its file. */
export async function claimThatUsed(marker: InboxEntry, claims: Map<string, ClaimOfName[]>): Promise<ClaimOfName | undefined> {
  const same = claims.get(claimedName(path.basename(marker.abs).slice(0, -SUFFIX.length), newClaimId()));
  if (!same) return undefined;
  const m = await fs.lstat(openPath(marker)).catch(() => undefined);
  if (!m) return undefined;
  const at = openPath(marker);
  const file = await fs.lstat(typeof at === 'string' ? at.slice(0, -SUFFIX.length) : at.subarray(0, at.length - SUFFIX.length)).catch(() => undefined);
  // in whole ms, as claim ids are: a marker dropped in the claim's millisecond was there before it
  const droppedAt = Math.floor(m.ctimeMs);
  const writtenAt = file ? Math.floor(file.ctimeMs) : Infinity;
  return same.find((c) => droppedAt <= c.atMs && c.atMs < writtenAt);
}

/** Removes a stale marker, unless it was dropped again since it was looked at (then it is a new upload's). */
export async function removeStaleMarker(marker: InboxEntry, claim: ClaimOfName): Promise<boolean> {
  const m = await fs.lstat(openPath(marker)).catch(() => undefined);
  if (!m || Math.floor(m.ctimeMs) > claim.atMs) return false;
  await fs.rm(openPath(marker), { force: true });
  return true;
}
