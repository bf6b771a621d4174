/**
 * The process's limit of open descriptors (RLIMIT_NOFILE, soft), read from /proc/self/limits:
 * Node has no call for it. Undefined where there is no such file (not Linux) or no limit.
 */
import { readFileSync } from 'node:fs';

export function parseOpenFilesLimit(limits: string): number | undefined {
  const m = /^Max open files\s+(\S+)/m.exec(limits);
  if (!m || m[1] === 'unlimited') return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}
