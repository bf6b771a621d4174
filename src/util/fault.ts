/**
 * Fault injection for the crash tests: when CHORUS_FLUX_FAULT names this point, the process
 * kills itself (SIGKILL, no clean-up) right there. Unset in production, it costs one
 * comparison. Points: after-pivots, after-status, before-journal, after-mark.
 */
const target = process.env.CHORUS_FLUX_FAULT;

export function faultPoint(name: string): void {
  if (target !== undefined && target === name) process.kill(process.pid, 'SIGKILL');
}
