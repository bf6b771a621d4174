/**
 * A lock that holds across processes and machines sharing one storage.
 *
 * Taking the lock is one atomic `link()` of this process's token file (one per folder,
 * `.lock-token.<host>~<pid>~<thread>`) to the lock's name; releasing it is one `unlink()`.
 * Locks spread over many folders (the lifecycle records' 256 buckets) link one token of a
 * folder above them (`tokenDir`): a token made, listed and removed per bucket was 9 system
 * calls and an inode freed for each of up to 256 buckets a run touched.
 * No inode is created or freed per lock: on ext4 without a journal, as on this project's
 * machines, every freed inode makes the file creations of its block group look it up and skip
 * it for 60 s to 6 minutes (`recently_deleted()` in fs/ext4/ialloc.c), and a lock file created
 * and deleted per invoice cost more CPU than the XML parsing.
 * Where the file system has no hard links, the lock is a file created with O_EXCL instead.
 *
 * A lock is broken when its holder is gone: a process of this machine that no longer runs,
 * or no lock activity of its token for `staleMs` (a holder touches it while it holds a lock). Within a process
 * the same path is also serialised in memory, so the file is only fought over between
 * processes and threads.
 */
import fsc from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { machineName } from '../util/machine-name';

export interface LockOptions {
  /** a lock whose holder shows no activity for this long is considered abandoned. Default 60 s. */
  staleMs?: number;
  /**
   * give up after this long. Default 30 s, or half as long again as `staleMs` when that is
   * longer: a waiter outwaits a dead holder of another machine (or of this one before a
   * reboot), which it breaks once it has seen it idle for `staleMs`, in one attempt.
   */
  timeoutMs?: number;
  /**
   * The folder of the token the lock links to, when not the lock's own: a folder above it, on
   * the same file system (a hard link never crosses one). Default: the lock's folder.
   */
  tokenDir?: string;
}

const HOST = machineName(); // a pid of another PID namespace of this host is not checked (util/machine-name.ts)
const TOKEN_PREFIX = '.lock-token.';
/**
 * When this process (thread) began, in its token's name and holder line. A process killed
 * holding a lock may be followed by one with its pid and thread id (after a reboot, processes
 * start in the same order; in a container the daemon is pid 1 every time): with the same token
 * name, the dead lock read as the new process's own, and each lock it took in that folder
 * touched it, so it never went idle and what it guarded waited for ever.
 */
const INCARNATION = Date.now().toString(36);
const TOKEN_NAME = `${TOKEN_PREFIX}${HOST}~${process.pid}~${threadId}~${INCARNATION}`;
/** folder → this process's token in it, and the token's inode (what a lock of ours links to) */
const tokens = new Map<string, { path: string; ino: number }>();
let hardLinks = true;

const local = new Map<string, Promise<unknown>>();

/**
 * Threads of this process known to have stopped. A lock held by a worker thread that died
 * (its process still running) would otherwise stand until it went stale, and every file
 * waiting for it would time out. `run`'s main thread marks a thread that stopped before its
 * end, in memory shared with every thread; a slot holds the dead thread's id, so a later
 * thread with another id in the same slot is never taken for dead.
 */
const DEAD_SLOTS = 1024;
let deadThreads: Int32Array | undefined;

/** The shared registry: made by the main thread, handed to each worker thread (useDeadThreadRegistry). */
export function deadThreadRegistry(): SharedArrayBuffer {
  if (!deadThreads) deadThreads = new Int32Array(new SharedArrayBuffer(DEAD_SLOTS * 4));
  return deadThreads.buffer as SharedArrayBuffer;
}

export function useDeadThreadRegistry(buffer: SharedArrayBuffer): void {
  deadThreads = new Int32Array(buffer);
}

/** Records that thread `id` of this process stopped: the locks it held can be broken at once. */
export function markThreadDead(id: number): void {
  if (id <= 0) return;
  if (!deadThreads) deadThreadRegistry();
  Atomics.store(deadThreads as Int32Array, id % DEAD_SLOTS, id);
}

function threadDead(id: number): boolean {
  return id > 0 && deadThreads !== undefined && Atomics.load(deadThreads, id % DEAD_SLOTS) === id;
}

function holderLine(): string {
  return `${HOST} ${process.pid} ${threadId} ${new Date().toISOString()} ${INCARNATION}\n`;
}

/** A holder of this machine with this process's pid, thread id or not, that is not this process: an earlier one (INCARNATION). */
function earlierIncarnation(pid: string, thread: string, incarnation: string | undefined): boolean {
  return Number(pid) === process.pid && (incarnation === undefined || (Number(thread) === threadId && incarnation !== INCARNATION));
}

function tokenIn(dir: string): string {
  let t = tokens.get(dir);
  if (!t) {
    const p = path.join(dir, TOKEN_NAME);
    try {
      fsc.writeFileSync(p, holderLine());
    } catch (e) {
      // disk full: no empty token left behind
      fsc.rmSync(p, { force: true });
      throw e;
    }
    t = { path: p, ino: fsc.statSync(p).ino };
    if (tokens.size === 0) process.once('exit', releaseLockTokens);
    tokens.set(dir, t);
    removeDeadTokens(dir);
  }
  return t.path;
}

/**
 * Removes this process's (or thread's) token files: they only matter while it runs. Called at
 * exit, and by a worker thread before it is terminated (a terminated thread runs no exit handler).
 */
export function releaseLockTokens(): void {
  for (const t of tokens.values()) {
    try {
      fsc.unlinkSync(t.path);
    } catch {
      /* already gone */
    }
  }
  tokens.clear();
}

/** Tokens left in `dir` by processes of this machine that were killed (once per folder and process). */
function removeDeadTokens(dir: string): void {
  let names: string[];
  try {
    names = fsc.readdirSync(dir).filter((n) => n.startsWith(`${TOKEN_PREFIX}${HOST}~`));
  } catch {
    return;
  }
  // a lock it held stays a link of its own, broken when met
  for (const n of names) removeIfLockLeftover(dir, n);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the lock that is there is a link to our token. Over NFS a link whose reply was lost
 * is sent again and answered EEXIST though it was made (link(2), open(2) on O_EXCL): the lock
 * read as another holder's, of this very process, and was waited on until it looked idle,
 * which it never did while this process locked other files in the folder.
 */
function isOurs(lockPath: string, tokenDir: string): boolean {
  const mine = tokens.get(tokenDir);
  try {
    return mine !== undefined && fsc.statSync(lockPath).ino === mine.ino;
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
}

/** One attempt; true when the lock is ours. */
function tryTake(lockPath: string, tokenDir: string): boolean {
  const dir = path.dirname(lockPath);
  if (hardLinks) {
    try {
      fsc.linkSync(tokenIn(tokenDir), lockPath);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return isOurs(lockPath, tokenDir);
      if (code === 'ENOENT') {
        // the folder or our token was removed behind our back: make them again
        tokens.delete(tokenDir);
        fsc.mkdirSync(dir, { recursive: true });
        return tryTake(lockPath, tokenDir);
      }
      if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw e;
      hardLinks = false; // no hard links here: exclusive creation from now on
    }
  }
  try {
    fsc.mkdirSync(dir, { recursive: true });
    fsc.writeFileSync(lockPath, holderLine(), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Each lock this process (thread) waits on: its holder's last activity as seen (its token's links and change time), and since when on our own monotonic clock. */
const watched = new Map<string, { activity: string; links: number; ctime: number; since: number }>();

/**
 * How long `lockPath` has shown no activity to this waiter, on a clock that never jumps (ms).
 * Activity is the holder's: its token touched (mtime), another holder (inode), a lock taken or
 * released (a change of the token, one link more or as many: a release and a take between two
 * looks). Not a change that left one link fewer: a dead holder's other locks link the same
 * token, and each one a waiter breaks changes it; taken for activity, a holder with k locks left
 * took k times staleMs to clear, the later ones timing out (the locks an older version's run
 * left when it was killed: 6 files of an upgrade's first run failed after 10 minutes).
 */
function quietFor(lockPath: string, st: fsc.Stats): number {
  const activity = `${st.ino} ${st.mtimeMs}`;
  const now = performance.now();
  const w = watched.get(lockPath);
  if (w?.activity === activity && (st.ctimeMs === w.ctime || st.nlink < w.links)) {
    w.links = st.nlink;
    w.ctime = st.ctimeMs;
    return now - w.since;
  }
  watched.set(lockPath, { activity, links: st.nlink, ctime: st.ctimeMs, since: now });
  return 0;
}

/**
 * Breaks the lock when its holder is gone; true when it was broken. `watch`: a holder of
 * another process is idle once this waiter has seen no activity for `staleMs` on its own clock
 * that never jumps, or for a third of that when the file times say so too (the holder shows
 * activity every quarter): the file times are stamped by other clocks (the holder's, a file
 * server's), and a waiter whose clock was ahead by most of `staleMs`, or had just stepped
 * forward, broke a live holder's lock at once.
 */
function breakIfAbandoned(lockPath: string, staleMs: number, watch = false, tokenDir = path.dirname(lockPath)): boolean {
  let st: fsc.Stats;
  let holder: string[];
  try {
    st = fsc.statSync(lockPath);
    holder = fsc.readFileSync(lockPath, 'utf8').trim().split(' ');
  } catch (e) {
    // released meanwhile: try again at once. Anything else (EMFILE…) is waited on: taken for
    // "released", it made a synchronous loop that no descriptor could ever end
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  const [host, pid, thread, , incarnation] = holder;
  const deadHere = host === HOST && Number(pid) > 0 && (!pidAlive(Number(pid)) || earlierIncarnation(pid, thread, incarnation));
  const deadThreadHere = host === HOST && Number(pid) === process.pid && Number(thread) !== threadId && threadDead(Number(thread));
  // a link or unlink of the holder's token touches its ctime: its last lock activity
  const stampedIdle = Date.now() - Math.max(st.ctimeMs, st.mtimeMs) > staleMs;
  // seen idle for staleMs by this waiter, whatever the file times say: they are stamped by the
  // holder's clock (mtime) and the file server's (ctime), and a dead holder whose clock ran
  // minutes ahead of the waiter's left a lock that looked active for those minutes
  const quiet = watch ? quietFor(lockPath, st) : 0;
  const idle = watch ? quiet >= staleMs || (stampedIdle && quiet >= staleMs / 3) : stampedIdle;
  if (!deadHere && !deadThreadHere && !idle) return false;
  watched.delete(lockPath);
  // rename it away first so two breakers cannot both win
  const grave = `${lockPath}.stale.${HOST}.${process.pid}.${threadId}.${Date.now()}`;
  let moved = false;
  try {
    fsc.renameSync(lockPath, grave);
    moved = true;
  } catch {
    /* another breaker won */
  }
  if (moved && !sameFile(grave, st)) {
    // not the lock judged: another breaker broke that one since, and what it moved is the lock
    // it took then, live. Removed, both held it (over NFS each step is a round trip: a window
    // of milliseconds, and every waiter breaks a dead holder's lock at about the same moment)
    giveBack(grave, lockPath);
    return false;
  }
  if (moved) {
    try {
      fsc.unlinkSync(grave);
    } catch {
      /* removed by a sweep meanwhile */
    }
  }
  if ((deadHere && (pid !== String(process.pid) || earlierIncarnation(pid, thread, incarnation))) || deadThreadHere) {
    // beside the lock, or where this lock's tokens are (a holder of the same code linked it from there)
    for (const d of new Set([path.dirname(lockPath), tokenDir])) {
      try {
        fsc.unlinkSync(path.join(d, `${TOKEN_PREFIX}${host}~${pid}~${thread}${incarnation ? `~${incarnation}` : ''}`));
      } catch {
        /* no token left (an O_EXCL lock, or removed already) */
      }
    }
  }
  return true;
}

function sameFile(p: string, judged: fsc.Stats): boolean {
  try {
    const st = fsc.lstatSync(p);
    return st.ino === judged.ino && st.dev === judged.dev;
  } catch {
    return false;
  }
}

/** Puts a lock moved away by mistake back under its name, unless the name was taken meanwhile. */
function giveBack(grave: string, lockPath: string): void {
  try {
    try {
      fsc.linkSync(grave, lockPath); // never over a lock taken meanwhile
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw e;
      if (fsc.existsSync(lockPath)) throw e; // no hard links here: a check, then a rename
      fsc.renameSync(grave, lockPath);
      return;
    }
    fsc.unlinkSync(grave);
  } catch {
    // the name was taken meanwhile (the holder's release leaves a lock not its own alone)
    fsc.rmSync(grave, { force: true });
  }
}

/**
 * For the nightly sweep of the state tree: removes `name` in `dir` when it is a lock token or a
 * lock whose process is gone, as the next lock taken in that folder would; true when removed.
 * Folders no process takes a lock in again (the records of an invoice long settled) kept them
 * for ever: one token per killed process and folder it had locked in.
 * - a token of this machine whose process no longer runs;
 * - a token of another machine that holds no lock (one link) and shows no lock activity for
 *   `idleMs` (were its process alive, its next lock there makes it again);
 * - a `.lock` whose holder is gone, or idle for `idleMs` (far beyond any lock's staleMs).
 */
export function removeIfLockLeftover(dir: string, name: string, idleMs = 3600_000): boolean {
  const p = path.join(dir, name);
  if (name.startsWith(TOKEN_PREFIX)) {
    const [host, pid, thread, incarnation] = name.slice(TOKEN_PREFIX.length).split('~');
    let gone: boolean;
    if (host === HOST) gone = Number(pid) > 0 && (Number(pid) === process.pid ? earlierIncarnation(pid, thread, incarnation) : !pidAlive(Number(pid)));
    else {
      try {
        const st = fsc.statSync(p);
        gone = st.nlink === 1 && Date.now() - Math.max(st.ctimeMs, st.mtimeMs) > idleMs;
      } catch {
        return false;
      }
    }
    if (!gone) return false;
    try {
      fsc.unlinkSync(p);
      return true;
    } catch {
      return false; // removed by another process meanwhile
    }
  }
  if (name.endsWith('.lock') && !local.has(p)) {
    try {
      if (!fsc.lstatSync(p).isFile()) return false;
    } catch {
      return false;
    }
    return breakIfAbandoned(p, idleMs) && !fsc.existsSync(p);
  }
  return false;
}

async function acquire(lockPath: string, tokenDir: string, staleMs: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  let wait = 2;
  for (;;) {
    if (tryTake(lockPath, tokenDir)) {
      watched.delete(lockPath);
      return;
    }
    if (breakIfAbandoned(lockPath, staleMs, true, tokenDir)) continue;
    if (performance.now() - started > timeoutMs) {
      // the watch is kept: a lock's timeout may be shorter than its staleness (30 s and 60 s by
      // default), and the next attempt at it goes on from what this one saw
      if (watched.size > 10_000) watched.clear();
      throw new Error(`could not lock ${lockPath} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 50);
  }
}

/**
 * Lock activity while holding `lockPath`: our token touched (the lock is a link to it, so the
 * lock's change time moves with it); without hard links, the lock file itself.
 */
function touchHeld(lockPath: string, tokenDir: string): void {
  const now = new Date();
  const mine = hardLinks ? tokens.get(tokenDir) : undefined;
  try {
    fsc.utimesSync(mine ? mine.path : lockPath, now, now);
  } catch {
    // the token removed behind our back (a sweep's race, an operator cleaning up): the lock is
    // the same file, touched by its own name while it is still ours; untouched, it looked idle
    // and another machine broke it while we held it
    try {
      if (mine && fsc.statSync(lockPath).ino === mine.ino) fsc.utimesSync(lockPath, now, now);
    } catch {
      /* released or broken meanwhile: nothing to show */
    }
  }
}

/** Releases the lock if it is still ours (it may have been broken as stale and taken since). */
function release(lockPath: string, tokenDir: string): void {
  try {
    const mine = hardLinks ? tokens.get(tokenDir) : undefined;
    // a lock of ours is a link to our token: same inode (known since the token was made, so
    // one stat per release, not two, and still right if someone removed the token itself)
    if (mine && fsc.statSync(lockPath).ino !== mine.ino) return;
    fsc.unlinkSync(lockPath);
  } catch {
    /* gone already */
  }
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const prev = local.get(lockPath) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const chained = prev.then(() => mine);
  local.set(lockPath, chained);
  await prev.catch(() => undefined);
  try {
    const staleMs = opts.staleMs ?? 60_000;
    const tokenDir = opts.tokenDir ?? path.dirname(lockPath);
    await acquire(lockPath, tokenDir, staleMs, opts.timeoutMs ?? Math.max(30_000, staleMs * 1.5));
    // held longer than staleMs (a big file under its content lock), the lock shows its holder
    // alive: idle, it was broken by a waiter while its holder ran, and the file processed twice at once
    const beat = setInterval(() => touchHeld(lockPath, tokenDir), Math.max(10, Math.floor(staleMs / 4)));
    beat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(beat);
      release(lockPath, tokenDir);
    }
  } finally {
    done();
    if (local.get(lockPath) === chained) local.delete(lockPath);
  }
}
