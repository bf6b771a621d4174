/**
 * Claiming a file: an atomic rename from the inbox into the processing area. Two watchers
 * racing for the same file cannot both win — the loser's rename fails with ENOENT.
 * The claimed name keeps the original name after a unique claim id:
 *   processing/<partner>/<claim id>__<original name>
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fitName, NAME_MAX_BYTES } from '../util/fit-name';
import { checkRealFolders } from '../util/real-folder';

export const CLAIM_SEPARATOR = '__';

/**
 * What a claim moved was no regular file: the partner swapped the file it uploaded for a link,
 * a FIFO or a folder between the watcher's last look and the rename. It was put back into the
 * inbox (`returnedAs`), not read.
 */
export class ClaimedNotAFile extends Error {
  constructor(
    message: string,
    /** where it is now: back in the inbox, or still in processing/ when it could not be moved back */
    readonly returnedAs: string,
  ) {
    super(message);
    this.name = 'ClaimedNotAFile';
  }
}

export interface Claimed {
  path: string;
  claimId: string;
  name: string;
  partner: string;
}

export function newClaimId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(5).toString('hex')}`;
}

/** When a claim was made, read from its id (undefined for an id that does not carry a plausible time). */
export function claimTimeMs(claimId: string): number | undefined {
  const t = parseInt(claimId.split('-')[0], 36);
  return Number.isFinite(t) && t >= Date.UTC(2020, 0, 1) ? t : undefined;
}

/** The part of a claimed file's name after its claim id: the claim id comes first, so a long name is cut to fit (the job keeps the whole name). */
export function claimedName(name: string, claimId: string): string {
  return fitName(name, NAME_MAX_BYTES - claimId.length - CLAIM_SEPARATOR.length);
}

/**
 * Moves `src` into the processing area; undefined when someone else took it first. `name` is
 * the file's readable name when `src` is the raw bytes of a name that is not UTF-8.
 */
export async function claimFile(src: string | Buffer, processingDir: string, partner: string, name = path.basename(src.toString())): Promise<Claimed | undefined> {
  const claimId = newClaimId();
  const dir = path.join(processingDir, partner);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    checkRealFolders(processingDir, dir);
    throw e;
  }
  // never a link (util/real-folder.ts): a claimed original would be moved, then processed, outside
  checkRealFolders(processingDir, dir);
  const dst = path.join(dir, `${claimId}${CLAIM_SEPARATOR}${claimedName(name, claimId)}`);
  try {
    await fs.rename(src, dst);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined; // taken by another watcher, or removed
    if (code === 'EXDEV') throw new Error(`the processing area ${processingDir} must be on the same file system as the inbox ${path.dirname(src.toString())} (atomic rename)`);
    throw e;
  }
  await refuseUnlessFile(src, dst);
  return { path: dst, claimId, name, partner };
}

/**
 * The inbox is the partner's: between the watcher's last look (a regular file, stable) and the
 * rename, the name may have been swapped for a link (its target was hashed, journaled and
 * queued as the partner's file), a FIFO (the watcher's hash of it never returned, and no inbox
 * was claimed from any more) or a folder (its files moved into processing/, never processed).
 * Once renamed it is out of the partner's reach, so what was moved is looked at there: anything
 * but a regular file goes back beside its name, under its claimed name (which no entry can
 * hold: a name of the inbox is never written over), where the scan skips it as it skips links.
 */
async function refuseUnlessFile(src: string | Buffer, dst: string): Promise<void> {
  const st = await fs.lstat(dst);
  if (st.isFile()) return;
  const what = st.isSymbolicLink() ? 'a symbolic link' : st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : 'not a regular file';
  const inboxDir = typeof src === 'string' ? path.dirname(src) : Buffer.from(src.subarray(0, src.lastIndexOf(path.sep)));
  const back = typeof inboxDir === 'string' ? path.join(inboxDir, path.basename(dst)) : Buffer.concat([inboxDir, Buffer.from(`${path.sep}${path.basename(dst)}`)]);
  const was = path.basename(src.toString());
  try {
    await fs.rename(dst, back);
  } catch (e) {
    throw new ClaimedNotAFile(`${was} became ${what} as it was claimed, and could not be moved back into its inbox (${(e as Error).message}): it stays at ${dst}, not read; remove it`, dst);
  }
  throw new ClaimedNotAFile(`${was} became ${what} as it was claimed: not followed, not read, moved back into its inbox as ${path.basename(dst)}, where the scan skips it`, back.toString());
}

/** Reads a claimed file's parts back from its name (for the rescan of the processing area). */
export function parseClaimed(p: string, partner: string): Claimed | undefined {
  const base = path.basename(p);
  const i = base.indexOf(CLAIM_SEPARATOR);
  if (i <= 0) return undefined;
  return { path: p, claimId: base.slice(0, i), name: base.slice(i + CLAIM_SEPARATOR.length), partner };
}
