/**
 * One worker thread of the embedded runner: its own pipeline dependencies (journal writer,
 * id sequence, stores — all safe to share between threads through the state folder's locks),
 * processing the files the main thread hands it and posting back each result.
 */
import { fileHashOf } from './failed-file';
import { parentPort } from 'node:worker_threads';
import type { Config } from '../config/config';
import { releaseLockTokens, useDeadThreadRegistry } from '../state/file-lock';
import { setMaxOpenPerBatch } from '../emit/write-batch';
import { createLogger } from '../util/logger';
import { nameThisThread, RUN_THREAD_NAME } from '../util/thread-name';
import { createDeps } from './deps';
import { FileNotTaken, processFile, type InboundFile, type PipelineDeps } from './process-file';

export type ToWorker = { type: 'init'; config: Config; logFile?: string; level: string; pretty: boolean; deadThreads: SharedArrayBuffer; maxOpenPerBatch: number } | { type: 'file'; file: InboundFile } | { type: 'granted'; file: string } | { type: 'close' };
export type FromWorker =
  | { type: 'ready' }
  /** the file holds `bytes` input bytes in memory (a Factur-X's inflated XML): wait for 'granted' (in-flight-budget.ts) */
  | { type: 'holds'; file: string; bytes: number }
  | { type: 'result'; file: string; result: import('./process-file').FileResult }
  | { type: 'error'; file: string; message: string }
  | { type: 'not-taken'; file: string; why: 'changed' | 'gone'; message: string }
  | { type: 'closed' };

let deps: PipelineDeps | undefined;
/**
 * Files waiting for the main thread's budget to count what they hold: always an answer to
 * wait for, so the XML is inflated again after it (only for an XML bigger than its PDF).
 */
const grants = new Map<string, () => void>();

function holds(file: string): (bytes: number) => Promise<void> {
  return (bytes) =>
    new Promise<void>((resolve) => {
      grants.set(file, resolve);
      post({ type: 'holds', file, bytes });
    });
}

function post(m: FromWorker): void {
  parentPort?.postMessage(m);
}

parentPort?.on('message', async (m: ToWorker) => {
  switch (m.type) {
    case 'init':
      nameThisThread(RUN_THREAD_NAME);
      useDeadThreadRegistry(m.deadThreads);
      setMaxOpenPerBatch(m.maxOpenPerBatch);
      deps = createDeps(m.config, { logger: createLogger({ file: m.logFile, level: m.level as 'info', pretty: m.pretty }) });
      post({ type: 'ready' });
      return;
    case 'file':
      try {
        post({ type: 'result', file: m.file.relPath, result: await processFile(deps as PipelineDeps, m.file, { holds: holds(m.file.relPath) }) });
      } catch (err) {
        if (err instanceof FileNotTaken) {
          post({ type: 'not-taken', file: m.file.relPath, why: err.why, message: err.message });
          return;
        }
        const error = err as Error;
        const sha256 = fileHashOf(error);
        deps?.logger.error({ err: error, file: m.file.relPath, partner: m.file.partner, sha256 }, 'system failure: file left in the inbox for the next run');
        await deps?.journal.append({ event: 'system-error', sha256, file: m.file.relPath, message: error.message }).catch(() => undefined);
        post({ type: 'error', file: m.file.relPath, message: error.message });
      }
      return;
    case 'granted':
      grants.get(m.file)?.();
      grants.delete(m.file);
      return;
    case 'close':
      await deps?.journal.close().catch(() => undefined);
      releaseLockTokens(); // a terminated thread runs no exit handler

      deps?.logger.flush?.();
      post({ type: 'closed' });
      return;
  }
});
