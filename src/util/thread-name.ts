/**
 * Names the calling OS thread (Linux: /proc/thread-self/comm, 15 bytes at most), so that `top -H`,
 * `ps -L` and the scale bench (bench/scale.ts) tell a processing thread from the main thread and
 * from node's own threads (V8's helpers, the libuv pool), which all read "node". Elsewhere, or
 * where /proc is not mounted, nothing happens: a name is a help, never a need.
 */
import { writeFileSync } from 'node:fs';

export const JOB_THREAD_NAME = 'chorus-job';
export const RUN_THREAD_NAME = 'chorus-run';

export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // not Linux, or no /proc
  }
}
