/**
 * What the folders hold, for the cross-check with the journal:
 *  - output candidates of the day: every file under archive/<day>/ and error/<day>/, and the
 *    files under pivot/, statut/, cdar/ whose modification time falls on the day (those
 *    folders are not split by day; a file is written, atomically, just before its outcome
 *    is journaled);
 *  - files under the processing folder, and inbox files uploaded on the day.
 * Temporary files of atomic writes (dot-prefixed) are never candidates.
 *
 * File system calls are made synchronously, in slices: on this kind of machine a
 * synchronous stat or read costs a fraction of its asynchronous twin (no thread-pool hop),
 * and a night's reconciliation makes a few hundred thousand of them. Every ~10 ms the loop
 * yields to the event loop, so a process that hosts the job (the scheduler) stays responsive.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, promises as fs, readdirSync, readlinkSync, readSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { receivedMs, type ReceiptTime } from '../ingest/receipt-time';
import { openPath, scanInbox, type SkippedEntry } from '../ingest/scan';
import { dayOf } from '../util/clock';

export interface FolderFile {
  /** relative to the folder scanned (output root, processing folder or inbox), with / */
  rel: string;
  abs: string;
  /** the path's bytes when a name on it is not UTF-8 (inbox files only; `abs` is then its readable form) */
  raw?: Buffer;
  bytes: number;
  mtimeMs: number;
  /** change time (folders scanned with scanFolder only) */
  ctimeMs?: number;
}

export interface Candidate extends FolderFile {
  kind: 'pivot' | 'statut' | 'cdar' | 'archive' | 'error' | 'reason';
  listed: boolean;
  /** a symbolic link's target: chorus-flux never writes one, and a transfer that follows it sends its target again */
  link?: string;
  /** a folder that cannot be read (its error code): what it holds cannot be checked */
  unreadable?: string;
  /** the outcome lines of other days that list it (the content they journaled for it) */
  journaled?: JournaledAs[];
}

/** An output as a journal line lists it, where the candidate's own day did not. */
export interface JournaledAs {
  sha256: string;
  bytes?: number;
  kind: string;
  idCpro?: string[];
  /** the inbound file, its SHA-256 and partner, the writer and `journal/<day>/<writer>.jsonl:<line>` */
  file: string;
  source: string;
  partner: string;
  writer: string;
  ref: string;
}

let lastYield = Date.now();

/** Lets the event loop run when the current slice of synchronous work has lasted ~10 ms. */
export async function yieldSometimes(): Promise<void> {
  const now = Date.now();
  if (now - lastYield < 10) return;
  await new Promise<void>((r) => setImmediate(r));
  lastYield = Date.now();
}

/**
 * Why an entry this process may not open is no failure of the report: a partner who can write in
 * its inbox or outbox can upload a file with no permissions, make a folder it alone can read,
 * plant a link that loops or that points to a socket. One such entry made the whole
 * reconciliation fail ("could not run", every night until someone removed it); it is said as
 * what it is instead.
 */
const UNREADABLE = new Set(['EACCES', 'EPERM', 'ELOOP', 'ENXIO', 'ENODEV']);

/** The error code of an entry that cannot be read for what it is (UNREADABLE), else undefined. */
export function unreadableCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  return code !== undefined && UNREADABLE.has(code) ? code : undefined;
}

/** What an entry that cannot be read is said to be: "<path> " + this. */
export function unreadableWhy(code: string): string {
  return code === 'ELOOP' ? 'is a link that loops' : code === 'ENXIO' || code === 'ENODEV' ? 'is no file (a socket or a device)' : `cannot be read by chorus-flux (${code}: its permissions)`;
}

function readdirSorted(dir: string, onUnreadable?: (dir: string, code: string) => void): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    const unreadable = unreadableCode(e);
    if (unreadable && onUnreadable) {
      onUnreadable(dir, unreadable);
      return [];
    }
    throw e;
  }
}

/**
 * Every regular file under `root` (recursively), skipping dot-names; `skipName` filters more;
 * symbolic links too when `links`. A folder that cannot be read goes to `onUnreadable` (else
 * it fails the walk).
 */
export async function walkFiles(root: string, skipName: (name: string) => boolean = (n) => n.startsWith('.'), links = false, onUnreadable?: (dir: string, code: string) => void): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of readdirSorted(dir, onUnreadable)) {
      if (skipName(e.name)) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile() || (links && e.isSymbolicLink())) out.push(abs);
    }
    await yieldSometimes();
  };
  await walk(root);
  return out;
}

function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

async function statAll(root: string, files: string[], keep: (f: FolderFile) => boolean = () => true, stat: typeof statSync = statSync): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  for (const abs of files) {
    try {
      const st = stat(abs);
      const f = { rel: toRel(root, abs), abs, bytes: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
      if (keep(f)) out.push(f);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // gone meanwhile
    }
    await yieldSometimes();
  }
  return out;
}

/** The target of `abs` when it is a symbolic link. */
function linkTarget(abs: string): string | undefined {
  try {
    return readlinkSync(abs);
  } catch {
    return undefined; // not a link (EINVAL), or gone meanwhile
  }
}

/**
 * Files of the output tree that no checked output covers (`known`): under pivot/, statut/,
 * cdar/ those modified on the day (only they are stat'ed), and everything under
 * archive/<day>/ and error/<day>/. Symbolic links too (chorus-flux never makes one: a link in
 * an outbox is a copy of what it points to for a transfer that follows it), dated by the link
 * itself, not by its target.
 */
export async function scanOutputCandidates(outRoot: string, day: string, timeZone: string, known: ReadonlySet<string>): Promise<Map<string, Candidate>> {
  const found = new Map<string, Candidate>();
  // folders chorus-flux cannot read (a partner's, in its outbox): candidates themselves
  const unreadable = new Map<string, string>();
  const noteUnreadable = (dir: string, code: string) => unreadable.set(dir, code);
  const asFound = (abs: string) => ({ ...withLink(abs), ...(unreadable.has(abs) ? { unreadable: unreadable.get(abs) } : {}) });
  for (const kind of ['pivot', 'statut', 'cdar'] as const) {
    unreadable.clear();
    const files = (await walkFiles(path.join(outRoot, kind), undefined, true, noteUnreadable)).concat([...unreadable.keys()]).filter((abs) => !known.has(toRel(outRoot, abs)));
    for (const f of await statAll(outRoot, files, (x) => dayOf(new Date(x.mtimeMs), timeZone) === day, lstatSync)) found.set(f.rel, { ...f, kind, listed: false, ...asFound(f.abs) });
  }
  for (const kind of ['archive', 'error'] as const) {
    unreadable.clear();
    const files = (await walkFiles(path.join(outRoot, kind, day), undefined, true, noteUnreadable)).concat([...unreadable.keys()]);
    for (const abs of files) {
      const rel = toRel(outRoot, abs);
      if (known.has(rel)) continue;
      found.set(rel, { rel, abs, bytes: -1, mtimeMs: -1, kind: kind === 'error' && rel.endsWith('.reason.json') ? 'reason' : kind, listed: false, ...asFound(abs) });
    }
  }
  return found;
}

function withLink(abs: string): { link?: string } {
  const link = linkTarget(abs);
  return link === undefined ? {} : { link };
}

export async function scanFolder(root: string, skipName?: (name: string) => boolean, onUnreadable?: (dir: string, code: string) => void): Promise<FolderFile[]> {
  return statAll(root, await walkFiles(root, skipName, false, onUnreadable));
}

/**
 * Inbox files received on the day (receipt-time.ts), listed by the pipeline's own scan (the
 * same names skipped, and names that are not UTF-8 found under their readable form).
 */
export async function scanInboxDay(inbox: string, day: string, timeZone: string, receiptTime: ReceiptTime, skipped?: (e: SkippedEntry) => void, partial?: (abs: string) => void): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  for (const e of await scanInbox(inbox, skipped, 'empty', partial)) {
    try {
      const st = statSync(openPath(e));
      // received on the day by the pipeline's own rule, so a file dated by its client's old
      // mtime is still found on the day it arrived (mtimeMs then holds the time received)
      const at = receivedMs(st, receiptTime);
      if (dayOf(new Date(at), timeZone) === day) out.push({ rel: e.rel, abs: e.abs, ...(e.raw ? { raw: e.raw } : {}), bytes: st.size, mtimeMs: at });
    } catch (err) {
      // listed, but not to be looked at (a folder a partner left readable, not searchable)
      const code = unreadableCode(err);
      if (code) skipped?.({ rel: e.rel, why: `not readable (${code})` });
      else if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // gone meanwhile
    }
    await yieldSometimes();
  }
  return out;
}

const SMALL = 8 * 1024 * 1024;
let scratch = Buffer.allocUnsafe(1 << 20);

export interface FileHash {
  sha256: string;
  bytes: number;
}

/** A file there that cannot be read for what it is (unreadableCode): its error code. */
export interface Unreadable {
  unreadable: string;
}

/** The hash of a hashFile result that has one. */
export function hashOf(h: FileHash | Unreadable | undefined): FileHash | undefined {
  return h !== undefined && 'sha256' in h ? h : undefined;
}

/** The error code of a hashFile result that could not be read. */
export function unreadableOf(h: FileHash | Unreadable | undefined): string | undefined {
  return h !== undefined && 'unreadable' in h ? h.unreadable : undefined;
}

/**
 * SHA-256 and size of a file; undefined when it does not exist, `unreadable` when it cannot be
 * opened for what it is (permissions, a link that loops or points to a socket). Files up to
 * 8 MB are read synchronously into a reused buffer (open, fstat, read, close); larger ones are
 * streamed.
 */
export async function hashFile(abs: string | Buffer): Promise<FileHash | Unreadable | undefined> {
  await yieldSometimes();
  let fd: number;
  try {
    // non-blocking: a FIFO put at an output's name (or a link to one) hung the reconciliation;
    // fstat then says it is no file
    fd = openSync(abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    const unreadable = unreadableCode(e);
    if (unreadable) return { unreadable };
    throw e;
  }
  let large = false;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (st.size > SMALL) large = true;
    else {
      if (scratch.length < st.size + 1) scratch = Buffer.allocUnsafe(st.size + 1);
      const h = createHash('sha256');
      let bytes = 0;
      // until end of file (a file may grow between fstat and read)
      for (;;) {
        const n = readSync(fd, scratch, 0, scratch.length, null);
        if (n > 0) h.update(scratch.subarray(0, n));
        bytes += n;
        if (n < scratch.length) break;
      }
      return { sha256: h.digest('hex'), bytes };
    }
  } finally {
    closeSync(fd);
  }
  if (large) {
    const fh = await fs.open(abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const h = createHash('sha256');
      let bytes = 0;
      for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
        h.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      return { sha256: h.digest('hex'), bytes };
    } finally {
      await fh.close();
    }
  }
  return undefined;
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
