/**
 * The cross-process lock when its holders are on different machines sharing the state folder
 * (issue #7: workers on several machines, one shared storage): a pid read back means nothing
 * on another machine, and every machine's clock differs (the holder's stamps the file times it
 * touches, the file server's stamps their change time, the waiter compares with its own).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withFileLock } from '../../src/state/file-lock';
import { machineName } from '../../src/util/machine-name';
import { tempDir } from '../helpers/run';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const LOCK_CHILD = [path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'test/helpers/child/lock-counter.ts')];

/** A pid that no process of this machine has: a process that ran and exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

/** Tries to take `lock` until `withinMs`, each attempt giving up after `timeoutMs` (as a caller retries a failed file); the time taken. */
async function takeRetrying(lock: string, staleMs: number, timeoutMs: number, withinMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await withFileLock(lock, async () => undefined, { staleMs, timeoutMs });
      return performance.now() - started;
    } catch (e) {
      if (performance.now() - started > withinMs) throw e;
    }
  }
}

describe('file lock between machines', () => {
  it('breaks a dead holder\'s lock though that machine\'s clock ran ahead (its file times in the future), once this waiter has seen it idle for staleMs', async () => {
    // the idle test took the newest of the lock's file times, the mtime stamped by the holder's
    // clock: a holder ten minutes ahead that died left a lock no one broke for ten minutes, and
    // every attempt at what it guarded (the IdCPRO block of the whole installation) timed out
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    const token = path.join(dir, '.lock-token.elsewhere~4242~0~kx0a1b2c');
    writeFileSync(token, 'elsewhere 4242 0 2026-01-01T00:00:00.000Z kx0a1b2c\n');
    const ahead = new Date(Date.now() + 10 * 60_000);
    utimesSync(token, ahead, ahead);
    linkSync(token, lock);
    // the lock's own timeouts (30 s) are shorter than its staleness (60 s): scaled down alike
    const took = await takeRetrying(lock, 1500, 700, 8000);
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(6000);
  }, 20000);

  it('breaks a dead holder\'s lock though this waiter\'s clock is minutes behind the holder\'s and the file server\'s', async () => {
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    writeFileSync(lock, 'elsewhere 4242 0 2026-01-01T00:00:00.000Z kx0a1b2c\n');
    const realNow = Date.now;
    Date.now = () => realNow() - 10 * 60_000;
    let took: number;
    try {
      took = await takeRetrying(lock, 1500, 700, 8000);
    } finally {
      Date.now = realNow;
    }
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(6000);
  }, 20000);

  const hostName = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');
  // as a machine of this name wrote it before names carried the boot id, and as one writes it since
  it.each([hostName, `${hostName.slice(0, 32)}-boot00000000`])('never breaks at once the live lock of another machine that has the same host name (cloned machines, containers given one name): %s', async (host) => {
    // a pid is checked only on the machine that wrote it; the host name alone told machines
    // apart, and two machines of one name (VMs cloned without renaming, `hostname:` in a compose
    // file deployed twice) took each other's live holders for dead: two holders of one lock
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    const pid = deadPid(); // alive on its machine, no process here
    const token = path.join(dir, `.lock-token.${host}~${pid}~0~kx0a1b2c`);
    writeFileSync(token, `${host} ${pid} 0 ${new Date().toISOString()} kx0a1b2c\n`);
    linkSync(token, lock);
    await expect(withFileLock(lock, async () => 'taken', { staleMs: 60_000, timeoutMs: 1500 })).rejects.toThrow(/could not lock/);
    // nor is the holder's token removed (its heartbeat touches it)
    expect(readdirSync(dir)).toContain(path.basename(token));
  }, 20000);

  it('takes a lock whose link was made though the file server answered EEXIST (a link sent again after its reply was lost)', async () => {
    // over NFS a link whose reply is lost is sent again and refused as existing: the lock, a
    // link to this process's own token, read as another holder's and was waited on until it
    // looked idle, which it never did while this process locked other files in the folder
    const dir = tempDir();
    await withFileLock(path.join(dir, 'first.lock'), async () => undefined); // this process's token in the folder
    const [token] = readdirSync(dir).filter((f) => f.startsWith('.lock-token.') && f.includes(`~${process.pid}~`));
    const lock = path.join(dir, 'retried.lock');
    linkSync(path.join(dir, token), lock); // what the first, unanswered link did on the server
    expect(await withFileLock(lock, async () => 'taken', { staleMs: 60_000, timeoutMs: 1500 })).toBe('taken');
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]); // released like any lock of ours
  });

  it('of two waiters breaking the same dead lock, the slower one never removes the lock the faster one took meanwhile', async () => {
    // a breaker judged the lock it had read dead, then renamed away whatever held the name by
    // then: the lock another breaker had just taken. Both held it (over NFS, each step is a
    // round trip to the server: the window is milliseconds, and every waiter of the IdCPRO lock
    // breaks a dead holder's at about the same moment). Here the slower breaker is held between
    // its look and its move by a lock that is a FIFO: its read waits until the faster one has
    // broken it and taken the lock, then answers "a dead process of this machine".
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    if (spawnSync('mkfifo', [lock]).status !== 0) {
      console.warn('skipped: no mkfifo here');
      return;
    }
    const slow = spawn(process.execPath, ['-r', ...LOCK_CHILD, lock, '', '2500', 'try'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let answer = '';
    slow.stdout.on('data', (d) => (answer += d.toString()));
    const exited = new Promise((r) => slow.once('exit', r));
    // until it waits in its read of the lock (it has looked at it: a FIFO, not yet read)
    const started = Date.now();
    while (!readIfExists(`/proc/${slow.pid}/wchan`).includes('wait_for_partner')) {
      if (Date.now() - started > 15_000) throw new Error('the waiter never read the lock');
      await new Promise((r) => setTimeout(r, 20));
    }
    // the faster breaker: the dead lock moved away, the lock taken
    const grave = `${lock}.broken-by-the-faster`;
    renameSync(lock, grave);
    await withFileLock(lock, async () => {
      const ours = statSync(lock).ino;
      // the slower one's read answers now: a holder of this machine whose pid is gone
      const fd = openSync(grave, 'w');
      writeSync(fd, `${machineName()} ${deadPid()} 0 2026-01-01T00:00:00.000Z kx0a1b2c\n`);
      closeSync(fd);
      await exited;
      expect(answer.trim()).toBe('timeout'); // it never took the lock we hold
      expect(existsSync(lock) && statSync(lock).ino).toBe(ours);
    });
  }, 30000);

  it('a holder whose token was removed behind its back (a sweep\'s race, an operator cleaning up) still shows it is alive', async () => {
    // its sign of life touched the token by its name: gone, nothing was touched, and another
    // machine broke the lock of a live holder once it looked idle
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    await withFileLock(lock, async () => {
      for (const t of readdirSync(dir).filter((f) => f.startsWith('.lock-token.'))) unlinkSync(path.join(dir, t));
      const other = await run(process.execPath, ['-r', ...LOCK_CHILD, lock, '', '3000', 'try', '600'], { cwd: ROOT });
      expect(other.stdout.trim()).toBe('timeout');
    }, { staleMs: 600 });
  }, 30000);

  it('by default a waiter outwaits a dead holder of another machine in one attempt, whatever the staleness', async () => {
    // the default timeout (30 s) was shorter than the default staleness (60 s): a lock its
    // holder left on another machine (or on this one before a reboot) a moment ago could not
    // be broken within one attempt, and the file or invoice waiting for it failed (`run` exit 2)
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    writeFileSync(lock, 'elsewhere 4242 0 2026-01-01T00:00:00.000Z kx0a1b2c\n'); // last sign of life: now
    const started = performance.now();
    expect(await withFileLock(lock, async () => 'taken', { staleMs: 31_000 })).toBe('taken');
    expect(performance.now() - started).toBeGreaterThanOrEqual(30_500);
  }, 60000);

  it('a dead holder that left many locks linked to one token (an older version\'s run killed) has each broken once idle for staleMs, not one after another', async () => {
    // each lock broken unlinks a link of the shared token and changes its change time, which
    // the waiters of the others took for the holder's activity: the k-th lock waited k times
    // staleMs. An upgrade's first run after the old version's was killed holding 7 content
    // locks (its holder line has the host name alone, so: another machine's) failed 6 files
    // after 10 minutes, "could not lock … within 600000 ms", and exited 2
    const dir = tempDir();
    const token = path.join(dir, `.lock-token.${os.hostname().replace(/[^A-Za-z0-9-]/g, '_')}~${deadPid()}~2`);
    writeFileSync(token, `${os.hostname().replace(/[^A-Za-z0-9-]/g, '_')} ${deadPid()} 2 2026-12-05T21:05:16.009Z\n`); // the line an older version wrote
    const locks = Array.from({ length: 8 }, (_, k) => path.join(dir, `content-${k}.lock`));
    for (const l of locks) linkSync(token, l);
    // each as process-file takes a content lock (timeout a few times staleMs), all at once
    const staleMs = 800;
    const taken = await Promise.allSettled(locks.map((l) => withFileLock(l, async () => l, { staleMs, timeoutMs: 3 * staleMs })));
    expect(taken.map((t) => t.status)).toEqual(locks.map(() => 'fulfilled'));
    expect(locks.filter((l) => existsSync(l))).toEqual([]);
  }, 30000);
});

function readIfExists(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
