/**
 * When a file was received: the time written into the journal (`receivedAt`), the status
 * flows' `Horodatage` and CDAR `ReceiptDateTime`, and the day whose `archive/` and `error/`
 * keep its original.
 *
 * - `arrival` (default): when the file arrived in this file system — its change time (ctime),
 *   which no SFTP client can set. A watcher's claim (a rename) sets it to the claim time, so
 *   a retry after a crash finds the same time again. Clients that preserve timestamps
 *   (WinSCP does by default) set a file's mtime to the source file's, months old perhaps, or
 *   ahead of the clock: with the mtime, that file would be dated and archived on that other
 *   day, and the nightly reconciliation of its real day would not see it if it were never
 *   picked up.
 * - `mtime`: the file's modification time as the client left it (the end of the upload when
 *   the client does not preserve timestamps).
 */
import type { Stats } from 'node:fs';

export type ReceiptTime = 'arrival' | 'mtime';

export const RECEIPT_TIMES: readonly ReceiptTime[] = ['arrival', 'mtime'];

/** Milliseconds since the epoch at which the file was received, under the configured rule. */
export function receivedMs(st: Pick<Stats, 'mtimeMs' | 'ctimeMs'>, rule: ReceiptTime): number {
  // the ctime alone: an mtime after it was set by hand, ahead of the clock (a client preserving
  // a source file's mtime from a PC a year off), and max() dated the file by that future day
  return rule === 'mtime' ? st.mtimeMs : st.ctimeMs;
}

/**
 * When a file's content was last written, for "has its upload settled?" (`run --min-age`): its
 * mtime, unless that is after its ctime — a time a client set, ahead of the clock (no write is
 * later than the change time it leaves): then the ctime, else such a file waited until that
 * future moment, for ever with a mistyped year.
 */
export function lastWrittenMs(st: Pick<Stats, 'mtimeMs' | 'ctimeMs'>): number {
  return Math.min(st.mtimeMs, st.ctimeMs);
}
