/**
 * Lists the files of an inbox tree that are candidates for processing. Temporary upload
 * names (*.filepart, *.part, *.tmp), dotfiles, `.done` markers and symbolic links are never
 * taken (a link could point outside the inbox); nor is anything that is not a regular file
 * (a FIFO would block its reader).
 *
 * Names are read as bytes: one that is not UTF-8 is listed under its readable form
 * (file-name.ts) with its raw path alongside, so the file can still be opened.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isUtf8, readableName } from './file-name';

export interface InboxEntry {
  /** absolute path, readable form */
  abs: string;
  /** relative to the inbox root, with / separators, readable form */
  rel: string;
  /** the path's bytes, only when a name on it is not UTF-8: the path to open the file by */
  raw?: Buffer;
  /** hex of the bytes of `rel`, only when a name on it is not UTF-8 (for the journal) */
  rawRel?: string;
}

/** Something in an inbox that is never taken, and why (the scan's callers log it). */
export interface SkippedEntry {
  rel: string;
  why: 'symbolic link' | 'not a regular file' | `folder not readable (${string})` | `not readable (${string})`;
}

/** The log line of a skipped entry: what was skipped and what the operator can do. */
export function skippedMessage(e: SkippedEntry): string {
  return e.why.startsWith('folder')
    ? `skipped: ${e.why}; the files under it are not taken until it can be read`
    : `skipped: ${e.why} (never taken from an inbox; move the real file in its place)`;
}

const IGNORED = /(\.filepart|\.part|\.tmp|\.done)$/i;

/** A name an SFTP client gives a file while it uploads it (WinSCP's .filepart, .part): an upload unfinished. */
export function isPartialUpload(name: string): boolean {
  return !name.startsWith('.') && /(\.filepart|\.part)$/i.test(name);
}

export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || IGNORED.test(name);
}

/** The path to give to fs calls: the raw bytes when the readable form is not the real name. */
export function openPath(e: { abs: string; raw?: Uint8Array }): string | Buffer {
  return e.raw ? Buffer.from(e.raw) : e.abs;
}

/** The `.done` marker a partner with `doneMarker` drops beside a finished upload. */
export function doneMarkerOf(source: string | Buffer): string | Buffer {
  return typeof source === 'string' ? `${source}.done` : Buffer.concat([source, Buffer.from('.done')]);
}

/**
 * Whether `<name>.done` is there as a marker: a file (or a link to one), not a folder. A folder
 * of that name made the watcher's removal of the marker throw after the claim, so the file was
 * claimed without its `claimed` line and queued only by a later rescan; it announces nothing.
 */
export async function doneMarkerThere(source: string | Buffer): Promise<boolean> {
  const st = await fs.stat(doneMarkerOf(source)).catch(() => undefined);
  return st !== undefined && !st.isDirectory();
}

/**
 * The complete-looking files of an inbox tree. A root that does not exist is an empty inbox,
 * unless `rootMissing` is 'throw' (the watcher: a configured inbox that disappears is news).
 */
/**
 * `onPartial`: each upload still under its partial name (isPartialUpload), which the scan never
 * takes. `onMarker`: each `<name>.done` file or link (the watcher sweeps those a claim left: stale-marker.ts).
 */
export async function scanInbox(root: string, onSkipped?: (e: SkippedEntry) => void, rootMissing: 'empty' | 'throw' = 'empty', onPartial?: (abs: string) => void, onMarker?: (e: InboxEntry) => void): Promise<InboxEntry[]> {
  const out: InboxEntry[] = [];
  const sep = Buffer.from(path.sep);
  async function walk(dir: string, dirRaw: Buffer, relRaw: Buffer | undefined, misencoded: boolean): Promise<void> {
    let entries: import('node:fs').Dirent<Buffer>[];
    try {
      entries = await fs.readdir(misencoded ? dirRaw : dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && (dir !== root || rootMissing === 'empty')) return;
      if (dir === root) throw e;
      // one bad folder (too deep for a path, unreadable) must not hide the rest of the inbox
      onSkipped?.({ rel: path.relative(root, dir).split(path.sep).join('/'), why: `folder not readable (${code ?? (e as Error).message})` });
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const utf8 = entries.map((e) => isUtf8(e.name));
    const names = new Set(entries.filter((_, k) => utf8[k]).map((e) => e.name.toString('utf8')));
    for (const [k, e] of entries.entries()) {
      let name = utf8[k] ? e.name.toString('utf8') : readableName(e.name);
      // a readable form that is also a real sibling's name takes the raw name's hex as well
      if (!utf8[k] && names.has(name)) name = `${name}~${e.name.toString('hex')}`;
      const abs = path.join(dir, name);
      const raw = Buffer.concat([dirRaw, sep, e.name]);
      const rel = relRaw ? Buffer.concat([relRaw, Buffer.from('/'), e.name]) : e.name;
      const bad = misencoded || !utf8[k];
      if (isIgnoredName(name)) {
        if (onPartial && e.isFile() && isPartialUpload(name)) onPartial(abs);
        if (onMarker && (e.isFile() || e.isSymbolicLink()) && !name.startsWith('.') && name.endsWith('.done')) onMarker({ abs, rel: path.relative(root, abs).split(path.sep).join('/'), ...(bad ? { raw, rawRel: rel.toString('hex') } : {}) });
        continue;
      }
      if (e.isDirectory()) await walk(abs, raw, rel, bad);
      else if (e.isFile()) {
        const entry: InboxEntry = { abs, rel: path.relative(root, abs).split(path.sep).join('/') };
        if (bad) {
          entry.raw = raw;
          entry.rawRel = rel.toString('hex');
        }
        out.push(entry);
      } else onSkipped?.({ rel: path.relative(root, abs).split(path.sep).join('/'), why: e.isSymbolicLink() ? 'symbolic link' : 'not a regular file' });
    }
  }
  await walk(root, Buffer.from(root), undefined, false);
  return out;
}
