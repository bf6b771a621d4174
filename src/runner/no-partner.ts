/**
 * What `run` says on the console of the files it did not take because their folder names no
 * partner (partner-of.ts): one line per folder, with its files' count and the first by name.
 * Under a timer (`run -q`) the console and the exit code are all an operator sees.
 */
import type { NoPartnerEntry } from './inbound-file';

const MAX_NAMED = 3;

export function noPartnerHints(entries: readonly NoPartnerEntry[]): string[] {
  const byFolder = new Map<string, NoPartnerEntry[]>();
  for (const e of entries) {
    const files = byFolder.get(e.folder);
    if (files) files.push(e);
    else byFolder.set(e.folder, [e]);
  }
  return [...byFolder.values()].map((files) => {
    const named = `${files.slice(0, MAX_NAMED).map((f) => f.rel).join(', ')}${files.length > MAX_NAMED ? `, and ${files.length - MAX_NAMED} more in the log` : ''}`;
    return `${files.length} file(s) not taken (${named}): ${files[0].rule} ${files[0].why}`;
  });
}
