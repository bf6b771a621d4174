/**
 * This machine, as far as a process id tells, for the names that carry one (lock tokens, temp
 * files) so that a pid read back is only checked where it means the same process: the host
 * name, the PID namespace when it is not the host's own (a container sharing the host name, as
 * with `--network host`), and the kernel's boot id. From another namespace or machine a live
 * writer's pid names another process or none: its lock was broken at once, its temp file
 * swept, as a dead one's.
 *
 * The boot id because a host name does not tell machines apart: VMs cloned without renaming,
 * containers given one `hostname:` on several machines (with the same PID namespace inode, and
 * the daemon pid 1 in each) took each other's live lock holders for dead. Every container of a
 * machine shares its boot id; a reboot changes it, so the locks of the boot before are broken
 * as another machine's (once idle for their staleness), not at once.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** The host's own PID namespace has this inode everywhere (PROC_PID_INIT_INO): names as before. */
const INITIAL_PID_NAMESPACE = '4026531836';

function bootId(): string | undefined {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/[^0-9a-f]/g, '');
    return id.length >= 8 ? id.slice(0, 8) : undefined;
  } catch {
    return undefined; // no /proc: the host name alone
  }
}

export function machineName(): string {
  let name = os.hostname().replace(/[^A-Za-z0-9-]/g, '_').slice(0, 32); // with the rest, within the 64 characters a temp file's name gives it
  try {
    const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    if (ns && ns !== INITIAL_PID_NAMESPACE) name += `-pidns${ns}`;
  } catch {
    /* no /proc: the host name alone */
  }
  const boot = bootId();
  return boot ? `${name}-boot${boot}` : name;
}
