/**
 * The embedded runner on several cores: the inbox is walked once here and its files handed
 * to worker threads, each running the same processFile with its own journal writer; the
 * shared state (lifecycle, processed files, IdCPRO sequence) is safe between threads as it is
 * between processes. Same outcomes as runEmbedded, in parallel.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config';
import { sweepOutboxes } from '../emit/sweep';
import type { SkippedEntry } from '../ingest/scan';
import { inboundSize, listRunInbox, noteNotTaken, removeAfterOutcome, type RunInboxOptions, type WaitingEntry } from './inbound-file';
import { identityOf, type FileIdentity } from './remove-taken';
import { Journal } from '../journal/journal';
import { systemClock } from '../util/clock';
import { VERSION } from '../version';
import type { RunSummary } from './embedded';
import { stopReason } from './stop-reason';
import { DEFAULT_FILES_IN_FLIGHT, InFlightBudget } from './in-flight-budget';
import type { FileResult } from './process-file';
import { sourceOf, type InboundFile } from './inbound-source';
import type { FromWorker, ToWorker } from './thread-worker';
import { RunTally } from './tally';
import { threadResourceLimits } from './heap-tuning';
import { deadThreadRegistry, markThreadDead } from '../state/file-lock';
import { maxOpenPerFile } from '../emit/write-batch';
import { openFilesLimit } from '../util/open-files-limit';

/** Times each thread may be started again after stopping mid-run, before its slot gives up. */
const MAX_THREAD_RESTARTS = 3;

export interface ThreadedRunOptions extends RunInboxOptions {
  inbox: string;
  config: Config;
  /** worker threads. Default: the number of CPU cores (at most 8). */
  threads?: number;
  /** files in flight per thread. Default 8 (DEFAULT_FILES_IN_FLIGHT). */
  concurrency?: number;
  /** input bytes in flight over all threads, whatever `concurrency` allows (in-flight-budget.ts). Default 128 MiB. */
  maxBytesInFlight?: number;
  logFile?: string;
  level?: string;
  /** as RunOptions.keepResults. Default true. */
  keepResults?: boolean;
  onStart?(total: number): void;
  onFile?(result: FileResult | { file: string; error: Error }): void;
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
}

export async function runThreaded(opts: ThreadedRunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { config } = opts;
  const inbox = path.resolve(opts.inbox);
  await sweepOutboxes(config);
  const { files, skipped, waiting, noPartner } = await listRunInbox(config, inbox, opts);
  opts.onStart?.(files.length);
  const journal = new Journal({ dir: path.join(config.paths.out, 'journal'), clock: systemClock, timezone: config.timezone });
  await journal.append({ event: 'start', mode: 'run', version: VERSION, config: config.source, inbox });
  const results: FileResult[] = [];
  const tally = new RunTally();
  const keep = opts.keepResults !== false;
  const failures: { file: string; error: string }[] = [];
  const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(), Math.max(1, files.length)));
  const perThread = Math.max(1, opts.concurrency ?? DEFAULT_FILES_IN_FLIGHT);
  // every thread's files in flight share the process's descriptors (write-batch.ts)
  const maxOpenPerBatch = maxOpenPerFile(threads * perThread, openFilesLimit());
  // one budget for every thread, files handed out in inbox order; a thread's result may make
  // room for another thread's next file, so every thread is fed again
  const budget = new InFlightBudget(opts.maxBytesInFlight);
  const sizes = new Map<string, number>();
  const feeders = new Set<() => void>();
  const feedAll = () => feeders.forEach((f) => f());
  const script = path.join(__dirname, `thread-worker${path.extname(__filename)}`);
  const deadThreads = deadThreadRegistry();
  let next = 0;
  // files that were in flight in a thread that stopped: each is tried again, alone in its
  // thread, so the one that makes a thread stop is found and the others are not held back
  const retry: InboundFile[] = [];
  const suspects = new Set<string>();
  // `removeTaken`: each file's identity when it was handed out, to remove it only if unchanged
  const identities = new Map<string, FileIdentity | undefined>();
  let restartsLeft = threads * MAX_THREAD_RESTARTS;
  const failed = async (file: InboundFile, message: string) => {
    failures.push({ file: file.relPath, error: message });
    await journal.append({ event: 'system-error', file: file.relPath, message }).catch(() => undefined);
    opts.onFile?.({ file: file.relPath, error: new Error(message) });
  };

  const slot = () =>
    new Promise<void>((resolve) => {
      const start = () => {
        const w = new Worker(script, { resourceLimits: threadResourceLimits() });
        const tid = w.threadId; // -1 once the thread has exited
        const inFlight = new Map<string, InboundFile>();
        // its files' requests for more bytes still waiting, withdrawn if the thread stops
        const growing = new Map<string, () => void>();
        let closing = false;
        let over = false;
        const send = (m: ToWorker) => w.postMessage(m);
        const take = (file: InboundFile, size: number) => {
          budget.take(size);
          if (opts.removeTaken) identities.set(file.relPath, identityOf(sourceOf(file)));
          inFlight.set(file.relPath, file);
          send({ type: 'file', file });
        };
        const feed = () => {
          if (over || closing) return;
          // a suspect runs alone: only in an idle thread, and nothing joins it
          while (!opts.stopRequested?.() && inFlight.size < perThread && ![...inFlight.keys()].some((k) => suspects.has(k))) {
            if (retry.length > 0) {
              if (inFlight.size > 0) break;
              const file = retry.shift() as InboundFile;
              take(file, sizes.get(file.relPath) ?? 0);
              break;
            }
            if (next >= files.length) break;
            const file = files[next];
            const size = sizes.get(file.relPath) ?? inboundSize(file);
            sizes.set(file.relPath, size);
            if (!budget.fits(size)) break;
            next++;
            take(file, size);
          }
          if (inFlight.size === 0 && ((next >= files.length && retry.length === 0) || opts.stopRequested?.())) {
            closing = true;
            send({ type: 'close' });
          }
        };
        const stopped = (why: string) => {
          if (over) return;
          over = true;
          feeders.delete(feed);
          markThreadDead(tid);
          const alone = inFlight.size === 1;
          const lost = [...inFlight.values()];
          for (const withdraw of growing.values()) withdraw();
          growing.clear();
          for (const file of lost) budget.release(sizes.get(file.relPath) ?? 0);
          void (async () => {
            for (const file of lost) {
              if (alone || suspects.has(file.relPath)) await failed(file, `the worker thread processing ${file.relPath} stopped (${why}); the file is left in the inbox for the next run`);
              else {
                suspects.add(file.relPath);
                retry.push(file);
              }
            }
            if (restartsLeft-- > 0) start();
            else resolve(); // files not handed out are accounted for once every slot is done
            feedAll();
          })();
        };
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') feed();
          else if (m.type === 'holds') {
            // a Factur-X's inflated XML: counted as the file's size from now on (in-flight-budget.ts)
            const extra = m.bytes - (sizes.get(m.file) ?? 0);
            const g = budget.grow(extra);
            growing.set(m.file, g.withdraw);
            void g.granted.then(() => {
              if (!growing.delete(m.file)) return; // withdrawn: its thread stopped
              if (extra > 0) sizes.set(m.file, (sizes.get(m.file) ?? 0) + extra);
              send({ type: 'granted', file: m.file });
            });
          }
          else if (m.type === 'result' || m.type === 'error' || m.type === 'not-taken') {
            const file = inFlight.get(m.file);
            const taken = identities.get(m.file);
            identities.delete(m.file);
            if (m.type === 'result' && file) removeAfterOutcome(config, file, taken, opts);
            inFlight.delete(m.file);
            budget.release(sizes.get(m.file) ?? 0);
            sizes.delete(m.file);
            if (m.type === 'result') {
              tally.add(m.result);
              if (keep) results.push(m.result);
              opts.onFile?.(m.result);
            } else if (m.type === 'not-taken') {
              noteNotTaken(m.file, m.why, m.message, waiting, opts);
            } else {
              failures.push({ file: m.file, error: m.message });
              opts.onFile?.({ file: m.file, error: new Error(m.message) });
            }
            feedAll();
          } else if (m.type === 'closed') {
            over = true;
            feeders.delete(feed);
            void w.terminate().then(() => resolve());
          }
        });
        w.on('error', (e) => stopped(e.message));
        w.on('exit', (code) => stopped(`exit code ${code}`));
        feeders.add(feed);
        // a thread's stderr is a pipe: it is told whether the process's is a terminal, so that its
        // warnings read as the main thread's do, not as raw JSON beside the progress bar
        send({ type: 'init', config, logFile: opts.logFile, level: opts.level ?? 'info', pretty: Boolean(process.stderr.isTTY), deadThreads, maxOpenPerBatch });
      };
      start();
    });

  await Promise.all(Array.from({ length: threads }, slot));
  // asked to stop: the files not begun wait for the next run; else threads that kept stopping
  // may have left files never handed out: each is a failure, left for the next run
  const stopped = opts.stopRequested?.() === true;
  const notBegun = stopped ? retry.length + files.length - next : 0;
  if (!stopped) for (const file of [...retry.splice(0), ...files.slice(next)]) await failed(file, 'not processed: the worker threads kept stopping; the file is left in the inbox for the next run');
  await journal.append({ event: 'stop', mode: 'run', reason: stopReason(failures.length, notBegun, noPartner) });
  await journal.close();
  // results in inbox order, as runEmbedded gives them
  if (keep) {
    const order = new Map(files.map((f, k) => [f.relPath, k]));
    results.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  }
  return { files: files.length, results, tally, failures, skipped, waiting, noPartner, notBegun, ms: Date.now() - started };
}
