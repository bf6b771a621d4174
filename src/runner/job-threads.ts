/**
 * The main thread's side of the worker's processing thread (job-thread.ts): hands it files,
 * one promise per file, and starts it again when it stops (a thread out of memory): the files
 * it had in flight fail their attempt, and BullMQ retries them.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config';
import { deadThreadRegistry, markThreadDead } from '../state/file-lock';
import { threadResourceLimits } from './heap-tuning';
import type { FromJobThread, ToJobThread } from './job-thread';
import type { InboundFile, ProcessFileOptions } from './process-file';
import type { JobOutcome } from './job-outcome';

export interface JobThreadOptions {
  config: Config;
  /** the thread's log level. Default info */
  level?: string;
  /** descriptors a file's write batch may hold (write-batch.ts) */
  maxOpenPerBatch: number;
}

interface Running {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, { resolve(r: JobOutcome): void; reject(e: Error): void; holds?: ProcessFileOptions['holds'] }>;
  closed?: Promise<void>;
}

export class JobThread {
  private running: Running | undefined;
  private nextId = 1;
  private closing = false;

  constructor(private readonly opts: JobThreadOptions) {}

  /**
   * Processes one file in the thread (started first if need be). Rejects on a system failure, or
   * when the thread stops. `holds`: as processFile's (process-file.ts), asked on this thread.
   */
  async process(file: InboundFile, opts: ProcessFileOptions = {}): Promise<JobOutcome> {
    if (this.closing) throw new Error('the worker is stopping');
    const r = this.running ?? this.start();
    await r.ready;
    const id = this.nextId++;
    return new Promise<JobOutcome>((resolve, reject) => {
      r.pending.set(id, { resolve, reject, holds: opts.holds });
      r.worker.postMessage({ type: 'file', id, file } satisfies ToJobThread);
    });
  }

  private start(): Running {
    const ext = path.extname(__filename);
    const script = path.join(__dirname, `job-thread${ext}`);
    // run from the TypeScript sources (the tests), the thread needs their loader too
    const execArgv = ext === '.ts' ? [...process.execArgv, '-r', path.resolve(__dirname, '../../test/helpers/ts-register.js')] : undefined;
    const worker = new Worker(script, { resourceLimits: threadResourceLimits(), execArgv });
    worker.unref(); // the daemon's connections keep the process alive, not this thread
    const tid = worker.threadId;
    let ready!: () => void;
    let failStart!: (e: Error) => void;
    const r: Running = { worker, ready: new Promise<void>((res, rej) => ((ready = res), (failStart = rej))), pending: new Map() };
    r.ready.catch(() => undefined); // a start that fails is told to the caller that awaits it
    let over = false;
    const stopped = (why: string) => {
      if (over) return;
      over = true;
      markThreadDead(tid); // the locks it held can be broken at once
      if (this.running === r) this.running = undefined;
      const e = new Error(`the processing thread stopped (${why})`);
      failStart(e);
      for (const p of r.pending.values()) p.reject(e);
      r.pending.clear();
    };
    worker.on('message', (m: FromJobThread) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'holds') {
        // a Factur-X's inflated XML: the caller's budget counts it, then the thread parses it
        const granted = r.pending.get(m.id)?.holds?.(m.bytes);
        void Promise.resolve(granted).then(() => {
          if (r.pending.has(m.id)) r.worker.postMessage({ type: 'granted', id: m.id } satisfies ToJobThread);
        });
      } else if (m.type === 'result' || m.type === 'error') {
        const p = r.pending.get(m.id);
        r.pending.delete(m.id);
        if (m.type === 'result') p?.resolve(m.result);
        else p?.reject(new Error(m.message));
      }
    });
    worker.on('error', (e) => stopped(e.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    worker.postMessage({ type: 'init', config: this.opts.config, level: this.opts.level ?? 'info', pretty: Boolean(process.stderr.isTTY), deadThreads: deadThreadRegistry(), maxOpenPerBatch: this.opts.maxOpenPerBatch } satisfies ToJobThread);
    this.running = r;
    return r;
  }

  /**
   * Closes the thread once its files are done (the caller has stopped handing it any).
   * `redisDown`: Redis was given up on (redis-at-stop.ts): the thread drops its connection
   * instead of waiting for a QUIT's answer (up to the 5 s below with Redis frozen).
   */
  async close(opts: { redisDown?: boolean } = {}): Promise<void> {
    this.closing = true;
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      r.worker.on('message', (m: FromJobThread) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      r.worker.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      r.worker.postMessage({ type: 'close', redisDown: opts.redisDown } satisfies ToJobThread);
    });
    await r.worker.terminate().catch(() => undefined);
  }

  /** Stops the thread at once (a forced shutdown): its files stay in processing/, their jobs are taken again. */
  async terminate(): Promise<void> {
    this.closing = true;
    const r = this.running;
    this.running = undefined;
    await r?.worker.terminate().catch(() => undefined);
  }
}
