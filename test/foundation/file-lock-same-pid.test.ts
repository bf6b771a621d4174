/**
 * A lock left by an earlier process that had this process's pid and thread id: after a reboot
 * (a host's processes start in the same order and often get the same pids) or in a container
 * (the worker is pid 1 at every start), the lock token of the dead process has the very name of
 * this process's token. The token was made again in place, so the dead lock, a link to it, read
 * as this process's own and every lock this process took in that folder touched it: it never
 * went idle, and the file or invoice it guarded waited for ever (a worker's per-content lock:
 * the claimed file failed its attempts one after another, 10 minutes each).
 */
import { existsSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { withFileLock } from '../../src/state/file-lock';
import { tempDir } from '../helpers/run';
import { machineName } from '../../src/util/machine-name';

describe('file lock: a dead holder that had our pid', () => {
  // its token as written before tokens carried their process's start, and as written since
  it.each([
    ['', ''],
    ['~kx0a1b2c', ' kx0a1b2c'],
  ])('is broken, though this process keeps locking in the same folder (token suffix %j)', async (suffix, holderSuffix) => {
    const dir = path.join(tempDir(), 'locks');
    mkdirSync(dir);
    const host = machineName(); // this machine, as its names carry it
    // the earlier incarnation's token, and the lock it held when it was killed
    const token = path.join(dir, `.lock-token.${host}~${process.pid}~${threadId}${suffix}`);
    writeFileSync(token, `${host} ${process.pid} ${threadId} 2026-01-01T00:00:00.000Z${holderSuffix}\n`);
    linkSync(token, path.join(dir, 'dead.lock'));

    // this process works on: other files' locks in the same folder
    let busy = true;
    const others = (async () => {
      for (let n = 0; busy; n++) await withFileLock(path.join(dir, `other-${n % 5}.lock`), () => new Promise((r) => setTimeout(r, 20)));
    })();
    const started = Date.now();
    try {
      await withFileLock(path.join(dir, 'dead.lock'), async () => undefined, { staleMs: 500, timeoutMs: 5000 });
    } finally {
      busy = false;
      await others;
    }
    expect(Date.now() - started).toBeLessThan(3000);
    expect(existsSync(token)).toBe(false); // the dead process's token goes with its lock
  }, 20000);
});
