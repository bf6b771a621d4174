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
  // the claim id comes first: a long name is cut to fit (the job keeps the whole name)
  const prefix = `${claimId}${CLAIM_SEPARATOR}`;
  const dst = path.join(dir, `${prefix}${fitName(name, NAME_MAX_BYTES - prefix.length)}`);
  try {
    await fs.rename(src, dst);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined; // taken by another watcher, or removed
    if (code === 'EXDEV') throw new Error(`the processing area ${processingDir} must be on the same file system as the inbox ${path.dirname(src.toString())} (atomic rename)`);
    throw e;
  }
  return { path: dst, claimId, name, partner };
}

/** Reads a claimed file's parts back from its name (for the rescan of the processing area). */
export function parseClaimed(p: string, partner: string): Claimed | undefined {
  const base = path.basename(p);
  const i = base.indexOf(CLAIM_SEPARATOR);
  if (i <= 0) return undefined;
  return { path: p, claimId: base.slice(0, i), name: base.slice(i + CLAIM_SEPARATOR.length), partner };
}
