/**
 * Whether a content's lock is held, or was left, by a version of chorus-flux from before
 * 2026-12-06: its holder line is `host pid thread time`, four fields; since, a fifth names the
 * holder's incarnation (file-lock.ts). Such a version recorded no attempt at a content
 * (state/files/<xx>/<sha256>.attempt) and named the outputs from the content alone: killed on
 * this content (or still at it, in a rolling upgrade), it may have written them under those
 * names, which a new attempt must take again (an upgrade's first run wrote a second pivot with
 * the same IdCPRO under another name). One stat per file, none read when there is no lock.
 */
import fsc from 'node:fs';

export function heldByOlderVersion(lockPath: string): boolean {
  let text: string;
  try {
    if (!fsc.statSync(lockPath, { throwIfNoEntry: false })) return false;
    text = fsc.readFileSync(lockPath, 'utf8');
  } catch {
    return false; // released meanwhile
  }
  const fields = text.trim().split(' ');
  return fields.length === 4 && /^\d+$/.test(fields[1]) && !Number.isNaN(Date.parse(fields[3]));
}
