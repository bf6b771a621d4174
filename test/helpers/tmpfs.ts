/**
 * A small tmpfs mounted for a test (a disk that fills up, or turns read-only, on demand).
 * Mounting needs root (CAP_SYS_ADMIN), as `.ci/run` has; without it `mountTmpfs` returns
 * false and the test says it did not run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './run';

/** Mounts a tmpfs of `size` (e.g. '1m') on `dir`, or with `remount` changes its options ('64m', '1m,ro'). */
export function mountTmpfs(dir: string, size: string, remount = false): boolean {
  try {
    execFileSync('mount', remount ? ['-o', `remount,size=${size}`, dir] : ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    /* not mounted */
  }
}

export function warnNotRun(what: string): void {
  // eslint-disable-next-line no-console
  console.warn(`${what} NOT RUN: mounting a small tmpfs needs root (CAP_SYS_ADMIN); .ci/run runs as root`);
}

/**
 * For a describe block: a fresh temp folder with a tmpfs of `size` mounted on its `name`
 * subfolder (unmounted after the block), and `maybe`, which is `it` when the mount worked and
 * `it.skip` (with a warning saying why) when it did not.
 */
export function tmpfsVolume(opts: { prefix: string; name: string; size: string; what: string }): { root: string; dir: string; maybe: jest.It } {
  const root = tempDir(opts.prefix);
  const dir = path.join(root, opts.name);
  mkdirSync(dir);
  const mounted = mountTmpfs(dir, opts.size);
  afterAll(() => {
    if (mounted) unmount(dir);
  });
  if (!mounted) warnNotRun(opts.what);
  return { root, dir, maybe: mounted ? it : it.skip };
}
