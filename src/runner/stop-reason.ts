/** The reason a run's `stop` line gives (runEmbedded and runThreaded alike). */
import type { NoPartnerEntry } from './inbound-file';

/** The journal's `stop` reason of a run. */
export function stopReason(failures: number, notBegun: number, noPartner: readonly NoPartnerEntry[] = []): string {
  const folders = [...new Set(noPartner.map((n) => n.folder))];
  const parts = [
    notBegun > 0 ? `asked to stop: ${notBegun} file(s) not begun, left in the inbox` : undefined,
    failures > 0 ? `${failures} system failure(s)` : undefined,
    noPartner.length > 0 ? `${noPartner.length} file(s) not taken, left in the inbox: their folder names no partner (${folders.join(', ')})` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'done';
}
