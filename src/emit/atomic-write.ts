/**
 * Atomic file writes: a temp file in the same folder (dot-prefixed, .tmp suffix, so no
 * watcher or reader takes it), fsync, rename over the final name, fsync the folder.
 * A reader sees the old file or the new one, never half of one; a crash leaves at most a
 * temp file, which `sweepTempFiles` removes.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import fsc, { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { closeQuietly, fsyncFd, lastNameGiven, nameGiven, useDirSync, type WriteBatch } from './write-batch';
import path from 'node:path';
import { base64TextOf } from '../util/base64';
import { asBuffer } from '../util/bytes';
import { NAME_MAX_BYTES, utf8Prefix } from '../util/fit-name';
import { sha256OfFile } from '../util/hash';
import { machineName } from '../util/machine-name';

export const TEMP_SUFFIX = '.tmp';
const HOST = machineName().slice(0, 64);

// unique per thread (worker threads share the pid), then a counter: no random draw per write
const THREAD_TAG = randomBytes(4).toString('hex');
let tempCounter = 0;

/** `.name.<host>~<pid>~<hex>.tmp`: the writer is known, so a sweep can tell an orphan. */
export function tempNameFor(target: string): string {
  const suffix = `.${HOST}~${process.pid}~${THREAD_TAG}${(tempCounter++).toString(16)}${TEMP_SUFFIX}`;
  // the suffix makes it unique: the final name is cut to fit beside it in a name's 255 bytes
  return path.join(path.dirname(target), `.${utf8Prefix(path.basename(target), NAME_MAX_BYTES - 1 - suffix.length)}${suffix}`);
}

const TEMP_TAIL = /\.([A-Za-z0-9_-]+)~(\d+)~[0-9a-f]+\.tmp$/;

/**
 * `name` (a folder's entry) parsed when it is a temp file tempNameFor made for `target`, on any
 * machine: its writer's host and pid; else undefined. Matched as tempNameFor builds it, so a
 * long target's temp (its name cut, on a character boundary, to fit beside the suffix) is its
 * own too (`.<name>.` as a prefix missed those of names longer than 254 bytes less the suffix:
 * its host, pid and counter, some 30 to 90 bytes).
 */
export function tempFor(target: string, name: string): { host: string; pid: number } | undefined {
  const m = TEMP_TAIL.exec(name);
  if (!m || !name.startsWith('.')) return undefined;
  const suffix = m[0]; // ASCII: its length is its bytes
  const stem = name.slice(1, name.length - suffix.length);
  return stem.length > 0 && stem === utf8Prefix(path.basename(target), NAME_MAX_BYTES - 1 - suffix.length) ? { host: m[1], pid: Number(m[2]) } : undefined;
}

/** The pid of the writer of `name` when it is a temp file this machine made for `target` (tempFor). */
export function tempWriterOf(target: string, name: string): number | undefined {
  const t = tempFor(target, name);
  return t && t.host === HOST ? t.pid : undefined;
}

function writerAlive(name: string): boolean | undefined {
  const m = TEMP_TAIL.exec(name);
  if (!m || m[1] !== HOST) return undefined; // another machine's, or an old name: judge by age
  try {
    process.kill(Number(m[2]), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What some file systems answer to an fsync of a folder: the rename is atomic all the same. */
const DIR_FSYNC_REFUSED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EBADF', 'EPERM', 'EACCES']);

async function fsyncDirNow(dir: string): Promise<void> {
  // opening and closing a folder are in-memory operations: done in place; the fsync, which
  // waits for the device, goes to the thread pool. A folder that cannot be opened for want of
  // descriptors (EMFILE) is a failure, never a skipped fsync: the outcome would be journaled
  // before its names were durable
  let fd: number;
  try {
    fd = fsc.openSync(dir, 'r');
  } catch (e) {
    if (DIR_FSYNC_REFUSED.has((e as NodeJS.ErrnoException).code ?? '')) return; // a folder we may write but not read
    throw e;
  }
  try {
    await fsyncFd(fd);
  } catch (e) {
    if (!DIR_FSYNC_REFUSED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    fsc.closeSync(fd);
  }
}

/**
 * Directory fsyncs are coalesced: many files renamed into the same folder at about the same
 * time (archive/<day>, pivot/<recepteur>) share one fsync. A caller says which names it needs
 * durable: those given up to number `given` (nameGiven, write-batch.ts), in this thread. An
 * fsync requested after that name was given covers it, whether it is still running or done
 * (an fsync of a folder makes durable every entry changed before it began): a name given in
 * archive/<day>/ while another file committed is often durable before its own file's commit.
 * Otherwise the caller waits for an fsync that starts after its call: while one runs, the
 * next callers join the following one.
 */
interface DirSyncEntry {
  running: Promise<void>;
  /** the last name given when the running fsync was requested: it covers every name up to it */
  from: number;
  next?: Promise<void>;
}
const dirSyncs = new Map<string, DirSyncEntry>();
/** per folder, the `from` of its last fsync that succeeded */
const dirSynced = new Map<string, number>();

function syncedFrom(dir: string, from: number): () => void {
  return () => {
    if (dirSynced.size > 50_000) dirSynced.clear();
    dirSynced.set(dir, Math.max(from, dirSynced.get(dir) ?? 0));
  };
}

export function fsyncDir(dir: string, given: number): Promise<void> {
  if ((dirSynced.get(dir) ?? 0) >= given) return Promise.resolve();
  const cur = dirSyncs.get(dir);
  if (!cur) {
    const from = lastNameGiven();
    const entry: DirSyncEntry = { running: Promise.resolve(), from };
    entry.running = fsyncDirNow(dir)
      .then(syncedFrom(dir, from))
      .finally(() => {
        if (entry.next === undefined) dirSyncs.delete(dir);
      });
    dirSyncs.set(dir, entry);
    return entry.running;
  }
  if (cur.from >= given) return cur.running;
  if (!cur.next) {
    cur.next = cur.running.then(() => {
      const from = lastNameGiven();
      const p = fsyncDirNow(dir).then(syncedFrom(dir, from));
      cur.running = p;
      cur.from = from;
      cur.next = undefined;
      return p.finally(() => {
        if (cur.next === undefined && dirSyncs.get(dir) === cur) dirSyncs.delete(dir);
      });
    });
  }
  return cur.next;
}

// a batch left uncommitted by a path that journaled anyway makes its folders durable with it
useDirSync(fsyncDir);

/** Folders known to exist (created by this process): no mkdir call per write. */
const madeDirs = new Set<string>();

export async function ensureDir(dir: string): Promise<void> {
  if (madeDirs.has(dir)) return;
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw await trueMkdirError(dir, e as Error);
  }
  if (madeDirs.size > 50_000) madeDirs.clear();
  madeDirs.add(dir);
}

/**
 * Node's recursive mkdir says ENOENT under a folder that is read-only or not ours (a read-only
 * pivot/: "ENOENT: no such file or directory, mkdir …/pivot/REC030", where EROFS was meant).
 * The next folder made alone under the nearest existing one gives the true error.
 */
async function trueMkdirError(dir: string, original: Error): Promise<Error> {
  let head = path.resolve(dir);
  let next = head;
  while (path.dirname(head) !== head) {
    try {
      await fs.stat(head);
      break;
    } catch {
      next = head;
      head = path.dirname(head);
    }
  }
  if (next === head) return original;
  try {
    await fs.mkdir(next);
    return original; // made meanwhile: the original error stands
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EEXIST' ? original : (e as Error);
  }
}

/**
 * Bytes written as their base64 text, encoded a slice at a time while writing: a flow's
 * attachments never exist as one big base64 string.
 */
export interface Base64Part {
  base64Of: Uint8Array;
}

export type FilePart = string | Uint8Array | Base64Part;
export type FileData = string | Uint8Array | readonly FilePart[];

// plain file descriptors through the callback API: cheaper than FileHandle objects on a hot path
const writevFd = promisify(fsc.writev);

function partsOf(data: FileData): readonly FilePart[] {
  return typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
}

function isBase64Part(d: FilePart): d is Base64Part {
  return typeof d === 'object' && !(d instanceof Uint8Array);
}

/** Bytes `d` takes in the file. */
export function partByteLength(d: FilePart): number {
  if (typeof d === 'string') return Buffer.byteLength(d, 'utf8');
  if (isBase64Part(d)) return 4 * Math.ceil(d.base64Of.byteLength / 3);
  return d.byteLength;
}

/**
 * Raw bytes per base64 slice (a multiple of 3, so slices concatenate into one valid text).
 * Small on purpose: a 64 KiB text and its bytes come from V8's young generation and malloc's
 * warm heap, reused slice after slice; megabyte slices were fresh mappings that the kernel
 * faulted in and zeroed every time (4 times the CPU for the same bytes, measured).
 */
const BASE64_SLICE = 3 * (1 << 14);
/** The base64 characters of one slice. */
const BASE64_SLICE_CHARS = (BASE64_SLICE / 3) * 4;

/** The base64 text of `bytes`, one slice at a time (the slices concatenate into the whole text). */
export function* base64Slices(bytes: Uint8Array): Generator<string> {
  const b = asBuffer(bytes);
  for (let off = 0; off < b.length; off += BASE64_SLICE) yield b.toString('base64', off, Math.min(b.length, off + BASE64_SLICE));
}

/** The parts as buffers, made one at a time (base64 one slice at a time). */
function* buffersOf(parts: readonly FilePart[]): Generator<Buffer> {
  for (const d of parts) {
    if (typeof d === 'string') yield Buffer.from(d, 'utf8');
    else if (isBase64Part(d)) {
      // bytes decoded from an input's own text: that text, in the slices encoding would make
      const known = base64TextOf(d.base64Of);
      if (known) for (let off = 0; off < known.length; off += BASE64_SLICE_CHARS) yield known.subarray(off, off + BASE64_SLICE_CHARS);
      else for (const text of base64Slices(d.base64Of)) yield Buffer.from(text, 'latin1');
    }
    else yield asBuffer(d);
  }
}

/** Files up to this size are written synchronously (see writeFileAtomic). */
const SYNC_WRITE_MAX = 1 << 20;
/** Parts are made into bytes this much at a time: a big flow is never held twice, as text and as bytes. */
const ENCODE_AHEAD = 8 << 20;

async function writeAll(fd: number, parts: readonly FilePart[], sync: boolean, hash?: Hash): Promise<number> {
  const source = buffersOf(parts);
  let total = 0;
  let pending: Buffer[] = [];
  let done = false;
  for (;;) {
    // make the next buffers, up to IOV_MAX of them and about ENCODE_AHEAD bytes
    let ahead = pending.reduce((n, b) => n + b.length, 0);
    while (!done && pending.length < 512 && (ahead < ENCODE_AHEAD || pending.length === 0)) {
      const r = source.next();
      if (r.done) {
        done = true;
        break;
      }
      if (r.value.length === 0) continue;
      hash?.update(r.value);
      total += r.value.length;
      pending.push(r.value);
      ahead += r.value.length;
    }
    if (pending.length === 0) return total;
    // writev may write less than asked
    let written = sync ? fsc.writevSync(fd, pending) : (await writevFd(fd, pending)).bytesWritten;
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (written >= b.length) written -= b.length;
      else {
        rest.push(written > 0 ? b.subarray(written) : b);
        written = 0;
      }
    }
    pending = rest;
  }
}


export interface WriteOptions {
  /**
   * false: no fsync at all (for marks that can be rebuilt: losing one only makes a file be
   * processed again). Default true.
   */
  durable?: boolean;
  /** fsync before returning even inside a write batch (an id block must be on disk before any id is used) */
  immediate?: boolean;
  /**
   * The SHA-256 (hex) of `data`, when the caller already has it (an original kept in
   * archive/ was hashed when read): the write does not hash it again. Default: hashed.
   */
  knownSha256?: string;
  /**
   * Never replace an existing `target`: the temp file is hard-linked to it (atomic, fails
   * when the name is taken) instead of renamed over it; when taken, the write is undone and
   * the error's code is EEXIST. Where the file system has no hard links, a check then a
   * rename. Default false.
   */
  noClobber?: boolean;
  /**
   * With a write batch, the file keeps its temp name until the batch commit (an output a
   * partner takes: see WriteBatch.defer). Without, no effect. Default false.
   */
  visibleAtCommit?: boolean;
  /** The file's write batch: its commit fsyncs this write (write-batch.ts). None: fsynced before returning. */
  batch?: WriteBatch;
}

export interface WriteResult {
  /** bytes written */
  bytes: number;
  /** SHA-256 (hex) of what was written, computed while writing */
  sha256: string;
}

/**
 * Writes `target` atomically. Given a write batch (`opts.batch`, write-batch.ts) the fsyncs wait
 * for the batch commit; without, the file and its folder are fsynced before returning.
 */
export async function writeFileAtomic(target: string, data: FileData, opts: WriteOptions = {}): Promise<WriteResult> {
  const dir = path.dirname(target);
  await ensureDir(dir);
  const tmp = tempNameFor(target);
  const parts = partsOf(data);
  // open, rename and a small write go to the page cache in microseconds: done synchronously,
  // they spare a thread-pool round trip each; the fsyncs, which wait for the device, and the
  // writes of big files (which would hold the event loop) go to the pool
  const sync = parts.reduce((n, b) => n + partByteLength(b), 0) <= SYNC_WRITE_MAX;
  const hash = opts.knownSha256 === undefined ? createHash('sha256') : undefined;
  let bytes = 0;
  let fd: number;
  let given: number | undefined;
  try {
    fd = fsc.openSync(tmp, 'wx', 0o644);
  } catch (e) {
    // the folder was removed behind our back (an operator, a test): create it again
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    madeDirs.delete(dir);
    await ensureDir(dir);
    fd = fsc.openSync(tmp, 'wx', 0o644);
  }
  const durable = opts.durable !== false;
  const batch = durable && !opts.immediate ? opts.batch : undefined;
  const give = opts.noClobber ? linkNoClobber : fsc.renameSync;
  // a no-clobber write is never deferred: its caller takes the next name on EEXIST, which must
  // come from the write, not from the commit
  const deferred = batch !== undefined && opts.visibleAtCommit === true && !opts.noClobber;
  try {
    bytes = await writeAll(fd, parts, sync, hash);
    if (durable && !batch) await fsyncFd(fd);
    if (deferred) batch.defer({ tmp, target, give });
    else {
      give(tmp, target);
      given = nameGiven();
    }
  } catch (e) {
    closeQuietly(fd);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  const result = { bytes, sha256: hash ? hash.digest('hex') : (opts.knownSha256 as string) };
  if (batch) {
    // fsynced and closed by the batch commit, or before when the batch holds too many
    if (batch.add(fd, dir, given)) await batch.syncOpen();
    return result;
  }
  fsc.closeSync(fd); // written and synced: closing only releases the descriptor
  if (durable) await fsyncDir(dir, given as number); // given: a write outside a batch is never deferred
  return result;
}

let hardLinks = true;

/** Gives `tmp` the name `target` unless that name is taken (then EEXIST); `tmp` is gone either way on success. */
function linkNoClobber(tmp: string, target: string): void {
  if (hardLinks) {
    try {
      fsc.linkSync(tmp, target);
      fsc.unlinkSync(tmp); // a name removed, not an inode: the file lives on under `target`
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
      hardLinks = false;
    }
  }
  if (fsc.existsSync(target)) throw Object.assign(new Error(`EEXIST: file already exists, ${target}`), { code: 'EEXIST', path: target });
  fsc.renameSync(tmp, target);
}

let outputMode: number | undefined;
/** The mode every output is created with: 0644 less the umask (systemd's `UMask=`). */
function outputFileMode(): number {
  return (outputMode ??= 0o644 & ~process.umask());
}

/**
 * Copies `source` to `target` atomically (temp, fsync, rename or no-clobber link, folder
 * fsync), the bytes copied by the kernel: for files too big to hold in memory. With
 * `expectSha256`, a copy with other content is refused. Returns the size.
 */
export async function copyFileAtomic(source: string | Buffer, target: string, opts: { noClobber?: boolean; expectSha256?: string; beforeLink?: () => void } = {}): Promise<number> {
  const dir = path.dirname(target);
  await ensureDir(dir);
  const tmp = tempNameFor(target);
  const noClobber = opts.noClobber === true;
  try {
    await fs.copyFile(source, tmp);
    // the kernel's copy takes the upload's mode: a read-only one (0444) could not be opened
    // to be synced, at every run; a world-writable one's copy could be changed by anyone
    await fs.chmod(tmp, outputFileMode());
    const fh = await fs.open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    // the source was hashed before (and is not held in memory): a file still being written
    // would leave a copy that is not the content journaled
    if (opts.expectSha256 !== undefined && (await sha256OfFile(tmp)) !== opts.expectSha256) {
      throw new Error(`${source.toString()} changed while it was being processed (its copy no longer has the SHA-256 read first); it is left where it is and taken again by the next run`);
    }
    opts.beforeLink?.(); // the temp copy made and synced, its name not given yet (a fault point)
    if (noClobber) linkNoClobber(tmp, target);
    else fsc.renameSync(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir, nameGiven());
  return (await fs.stat(target)).size;
}

/** Makes a batch's writes durable (no-op without a batch). */
export async function commitWrites(batch: WriteBatch | undefined): Promise<void> {
  await batch?.commit(fsyncDir);
}

/** Creates `target` only if it does not exist (O_EXCL); false when it already exists. */
export async function createExclusive(target: string, data: string): Promise<boolean> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  try {
    const fh = await fs.open(target, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Removes temp files left by a crash in a folder tree; returns how many. A temp file of a
 * process of this machine that is gone is removed at once; any other one once older than
 * `olderThanMs` (a live writer finishes in milliseconds). `alsoRemove` judges (and removes)
 * the other files met on the same walk: the state tree is walked once a night, not twice.
 */
export async function sweepTempFiles(root: string, olderThanMs = 3600_000, alsoRemove?: (dir: string, name: string) => boolean): Promise<number> {
  let removed = 0;
  const now = Date.now();
  async function walk(dir: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.startsWith('.') && e.name.endsWith(TEMP_SUFFIX)) {
        try {
          const st = await fs.stat(p);
          const alive = writerAlive(e.name);
          if (alive === false || (alive === undefined && now - st.mtimeMs >= olderThanMs)) {
            await fs.rm(p, { force: true });
            removed++;
          }
        } catch {
          /* gone already */
        }
      } else if (alsoRemove?.(dir, e.name)) removed++;
    }
  }
  await walk(root);
  return removed;
}

/**
 * Removes the temp files that writers of `target` left in its folder when they were killed
 * (`tempNameFor`'s names for that file, their writer gone from this machine, or older than
 * `olderThanMs` when another machine's); returns how many. For the commands that write where
 * the operator says (`facturx -o`): no sweep of `run`, of a worker or of the reconciliation
 * ever walks such a folder, so the temp of one killed mid-write stayed there for ever. The
 * folder's other files, and the temp files of other names, are left alone.
 */
export async function sweepTempsOf(target: string, olderThanMs = 3600_000): Promise<number> {
  const dir = path.dirname(target);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  const now = Date.now();
  for (const name of names) {
    if (!tempFor(target, name)) continue;
    const p = path.join(dir, name);
    try {
      const st = await fs.lstat(p);
      if (!st.isFile()) continue;
      const alive = writerAlive(name);
      if (alive === false || (alive === undefined && now - st.mtimeMs >= olderThanMs)) {
        await fs.rm(p, { force: true });
        removed++;
      }
    } catch {
      /* gone already */
    }
  }
  return removed;
}
