/**
 * This machine, as far as a process id tells, for the names that carry one (lock tokens, temp
 * files) so that a pid read back is only checked where it means the same process: the host
 * name, and the PID namespace when it is not the host's own (a container sharing the host
 * name, as with `--network host`). From another namespace a live writer's pid names another
 * process or none: its lock was broken at once, its temp file swept, as a dead one's.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';

/** The host's own PID namespace has this inode everywhere (PROC_PID_INIT_INO): names as before. */
const INITIAL_PID_NAMESPACE = '4026531836';

export function machineName(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');
  try {
    const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    if (ns && ns !== INITIAL_PID_NAMESPACE) return `${host.slice(0, 48)}-pidns${ns}`;
  } catch {
    /* no /proc: the host name alone */
  }
  return host;
}
