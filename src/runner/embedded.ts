/**
 * The embedded runner: every file of an inbox tree, once, in this process, no server.
 * The inbox is left as it is (originals are copied to archive/ or error/), so running it
 * again over the same inbox finds every file already processed and emits nothing.
 */
import path from 'node:path';
import type { Config } from '../config/config';
import { fileHashOf } from './failed-file';
import { sweepOutboxes } from '../emit/sweep';
import type { SkippedEntry } from '../ingest/scan';
import { inboundSize, listRunInbox, noteNotTaken, removeAfterOutcome, type NoPartnerEntry, type RunInboxOptions, type WaitingEntry } from './inbound-file';
import { identityOf } from './remove-taken';
import type { PipelineDeps } from './process-file';
import { FileNotTaken, processFile, sourceOf, type FileResult } from './process-file';
import { VERSION } from '../version';
import { RunTally } from './tally';
import { stopReason } from './stop-reason';
import { DEFAULT_FILES_IN_FLIGHT, InFlightBudget } from './in-flight-budget';
import { maxOpenPerFile, setMaxOpenPerBatch } from '../emit/write-batch';
import { openFilesLimit } from '../util/open-files-limit';

export { DEFAULT_FILES_IN_FLIGHT };

export interface RunOptions extends RunInboxOptions {
  inbox: string;
  deps: PipelineDeps;
  /** files processed at once; I/O (fsync) overlaps with parsing. Default 8 (DEFAULT_FILES_IN_FLIGHT). */
  concurrency?: number;
  /** input bytes processed at once, whatever `concurrency` allows (in-flight-budget.ts). Default 128 MiB. */
  maxBytesInFlight?: number;
  /**
   * Keep every file's result in `RunSummary.results`. Default true; the CLI turns it off so a
   * long run's memory stays flat (the counts are in `tally` either way).
   */
  keepResults?: boolean;
  onStart?(total: number): void;
  onFile?(result: FileResult | { file: string; error: Error }): void;
}

export interface RunSummary {
  files: number;
  /** every file's result, in inbox order (empty when `keepResults` is false) */
  results: FileResult[];
  /** counts by flux kind and outcome */
  tally: RunTally;
  failures: { file: string; error: string }[];
  /** inbox entries never taken (symbolic links, FIFOs…) */
  skipped: SkippedEntry[];
  /** files left for the next run: upload not known to be finished (`.done` marker, --min-age) */
  waiting: WaitingEntry[];
  /** files not taken because their folder names no partner: left in the inbox until an operator acts (exit 2) */
  noPartner: NoPartnerEntry[];
  /** files listed but not begun because the run was asked to stop (left in the inbox for the next run) */
  notBegun: number;
  ms: number;
}

export { stopReason };

export async function runEmbedded(opts: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { deps } = opts;
  const config: Config = deps.config;
  const inbox = path.resolve(opts.inbox);
  await sweepOutboxes(config);
  const { files, skipped, waiting, noPartner } = await listRunInbox(config, inbox, opts);
  opts.onStart?.(files.length);
  await deps.journal.append({ event: 'start', mode: 'run', version: VERSION, config: config.source, inbox });
  const results: FileResult[] = [];
  const tally = new RunTally();
  const keep = opts.keepResults !== false;
  const failures: { file: string; error: string }[] = [];
  const budget = new InFlightBudget(opts.maxBytesInFlight);
  let next = 0;
  const worker = async () => {
    while (next < files.length && !opts.stopRequested?.()) {
      const file = files[next++];
      const size = inboundSize(file);
      await budget.acquire(size);
      let grown = 0; // a Factur-X's inflated XML, counted once known
      const holds = (bytes: number) => {
        const extra = Math.max(0, bytes - size - grown);
        const g = budget.grow(extra);
        grown += extra; // released with the file, counted now or once granted
        return g.now ? undefined : g.granted;
      };
      try {
        const taken = opts.removeTaken ? identityOf(sourceOf(file)) : undefined;
        const r = await processFile(deps, file, { holds });
        removeAfterOutcome(config, file, taken, opts);
        tally.add(r);
        if (keep) results.push(r);
        opts.onFile?.(r);
      } catch (err) {
        if (err instanceof FileNotTaken) {
          noteNotTaken(file.relPath, err.why, err.message, waiting, opts);
          continue;
        }
        const error = err as Error;
        const sha256 = fileHashOf(error);
        deps.logger.error({ err: error, file: file.relPath, partner: file.partner, sha256 }, 'system failure: file left in the inbox for the next run');
        await deps.journal.append({ event: 'system-error', sha256, file: file.relPath, message: error.message }).catch(() => undefined);
        failures.push({ file: file.relPath, error: error.message });
        opts.onFile?.({ file: file.relPath, error });
      } finally {
        budget.release(size + grown);
      }
    }
  };
  const inFlight = Math.max(1, opts.concurrency ?? DEFAULT_FILES_IN_FLIGHT);
  setMaxOpenPerBatch(maxOpenPerFile(inFlight, openFilesLimit()));
  await Promise.all(Array.from({ length: inFlight }, worker));
  const notBegun = files.length - next;
  await deps.journal.append({ event: 'stop', mode: 'run', reason: stopReason(failures.length, notBegun, noPartner) });
  await deps.journal.close();
  return { files: files.length, results, tally, failures, skipped, waiting, noPartner, notBegun, ms: Date.now() - started };
}
