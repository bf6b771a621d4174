/**
 * A claimed file whose own outcome is already journaled: its content's processed mark names
 * this very file (path, partner, receipt time) and its line is on disk. What processed it (a
 * worker, `set-aside`) was interrupted before it removed the file from processing/; processed
 * again, the deposit would be journaled `already-processed` beside its outcome (trace: a copy;
 * the reconciliation: one more file "already processed"). The worker that takes such a job again
 * and `chorus-flux retry` both only remove the file.
 */
import { statSync } from 'node:fs';
import type { Config } from '../config/config';
import { receivedMs } from '../ingest/receipt-time';
import type { FluxJobData } from '../queue/flux-queue';
import type { FileOutcome } from '../journal/events';
import type { ProcessedFiles } from '../state/processed-files';

/** The outcome journaled for this claimed file, or undefined (none, another deposit's, or the file gone). */
export async function ownJournaledOutcome(processed: ProcessedFiles, d: Pick<FluxJobData, 'sha256' | 'relPath' | 'partner' | 'path'>, receiptTime: Config['receiptTime']): Promise<FileOutcome | undefined> {
  const done = await processed.get(d.sha256);
  if (!done?.journaled || done.file !== d.relPath || done.partner !== d.partner) return undefined;
  const st = statSync(d.path, { throwIfNoEntry: false });
  return st && done.receivedAt === new Date(receivedMs(st, receiptTime)).toISOString() ? done.outcome : undefined;
}
