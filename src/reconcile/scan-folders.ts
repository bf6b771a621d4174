/**
 * What the folders hold, for the cross-check with the journal:
 *  - output candidates of the day: every file under archive/<day>/ and error/<day>/, and the
 *    files under pivot/, statut/, cdar/ whose modification time falls on the day (those
 *    folders are not split by day; a file is written, atomically, just before its outcome
 *    is journaled);
 *  - files under the processing folder, and inbox files uploaded on the day.
 * Temporary files of atomic writes (dot-prefixed) are never candidates.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { isIgnoredName } from '../ingest/scan';
import { dayOf } from '../util/clock';

export interface FolderFile {
  /** relative to the folder scanned (output root, processing folder or inbox), with / */
  rel: string;
  abs: string;
  bytes: number;
  mtimeMs: number;
}

export interface Candidate extends FolderFile {
  kind: 'pivot' | 'statut' | 'cdar' | 'archive' | 'error' | 'reason';
  listed: boolean;
}

/** Runs `fn` over `items` with at most `n` at once; results keep the order of `items`. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, k: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      results[k] = await fn(items[k], k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

async function readdirSorted(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
}

/** Every regular file under `root` (recursively), skipping dot-names; `skipName` filters more. */
export async function walkFiles(root: string, skipName: (name: string) => boolean = (n) => n.startsWith('.')): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdirSorted(dir)) {
      if (skipName(e.name)) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(abs);
    }
  };
  await walk(root);
  return out;
}

async function statAll(root: string, files: string[]): Promise<FolderFile[]> {
  const stats = await pool(files, 32, async (abs) => {
    try {
      const st = await fs.stat(abs);
      return { rel: path.relative(root, abs).split(path.sep).join('/'), abs, bytes: st.size, mtimeMs: st.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // gone meanwhile
      throw e;
    }
  });
  return stats.filter((s): s is FolderFile => s !== undefined);
}

export async function scanOutputCandidates(outRoot: string, day: string, timeZone: string): Promise<Map<string, Candidate>> {
  const found = new Map<string, Candidate>();
  for (const kind of ['pivot', 'statut', 'cdar'] as const) {
    const files = await walkFiles(path.join(outRoot, kind));
    for (const f of await statAll(outRoot, files)) {
      if (dayOf(new Date(f.mtimeMs), timeZone) === day) found.set(f.rel, { ...f, kind, listed: false });
    }
  }
  for (const kind of ['archive', 'error'] as const) {
    const files = await walkFiles(path.join(outRoot, kind, day));
    for (const f of await statAll(outRoot, files)) {
      found.set(f.rel, { ...f, kind: kind === 'error' && f.rel.endsWith('.reason.json') ? 'reason' : kind, listed: false });
    }
  }
  return found;
}

export async function scanFolder(root: string, skipName?: (name: string) => boolean): Promise<FolderFile[]> {
  return statAll(root, await walkFiles(root, skipName));
}

/** Inbox files whose upload finished (mtime) on the day; upload temp names are skipped as the scanner does. */
export async function scanInboxDay(inbox: string, day: string, timeZone: string): Promise<FolderFile[]> {
  return (await scanFolder(inbox, isIgnoredName)).filter((f) => dayOf(new Date(f.mtimeMs), timeZone) === day);
}

const SMALL = 8 * 1024 * 1024;

/** SHA-256 and size of a file; undefined when it does not exist. */
export async function hashFile(abs: string): Promise<{ sha256: string; bytes: number } | undefined> {
  try {
    const st = await fs.stat(abs);
    if (!st.isFile()) return undefined;
    if (st.size <= SMALL) {
      const data = await fs.readFile(abs);
      return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
    }
    const h = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { sha256: h.digest('hex'), bytes };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The IdCPRO and Renvoi of each invoice of a pivot file (CPPFacturePivotUnitaire). */
export function pivotInvoices(xml: string): { idCpro?: string; renvoi?: string; number?: string }[] {
  const parts = xml.split(/<CPPFacturePivotUnitaire\b/).slice(1);
  return parts.map((p) => ({
    idCpro: /<IdCPRO>\s*([^<\s]+)\s*<\/IdCPRO>/.exec(p)?.[1],
    renvoi: /<Renvoi>\s*([^<]*?)\s*<\/Renvoi>/.exec(p)?.[1],
    number: /<DonneesFacture>[\s\S]*?<Id>\s*([^<]*?)\s*<\/Id>/.exec(p)?.[1],
  }));
}
