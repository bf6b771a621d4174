/**
 * Where pino's lines go (the console, the run's log file): a SonicBoom stream that can never
 * stall or stop the pipeline.
 *
 * Why not `pino.destination`: pino 10 still ships sonic-boom 4, whose synchronous flush retries
 * a failed write forever when the error is not EAGAIN. With the log file on a full disk, the
 * flush pino runs at exit spun for ever and `chorus-flux run` never ended (found with a
 * 1 MB tmpfs: test/foundation/disk-full.test.ts). sonic-boom 5 throws instead; this wrapper
 * also turns a destination that failed into a no-op, says so once on stderr, and leaves the
 * run to the journal, which records every file whatever happens to the log.
 */
import { mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';
import SonicBoom from 'sonic-boom';

/**
 * One word per destination kind (0 the console, 1 a file), shared by the threads of `run`: the
 * threads that write to the same log file each met its failure, and each said so once.
 * Set by the main thread before it starts any; a worker thread is handed the same memory.
 */
const SAID = 'chorus-flux.log-destination.said';
if (isMainThread && getEnvironmentData(SAID) === undefined) setEnvironmentData(SAID, new Int32Array(new SharedArrayBuffer(8)));

/** True for the first thread of the process to say that `dest`'s kind failed. */
function firstToSay(dest: string | number): boolean {
  const said = getEnvironmentData(SAID) as Int32Array | undefined;
  return said === undefined || Atomics.compareExchange(said, typeof dest === 'number' ? 0 : 1, 0, 1) === 0;
}

export interface LogDestinationOptions {
  /** a file path, or a file descriptor (2: stderr) */
  dest: string | number;
  /** what to call it in the one message said when it fails */
  label: string;
}

/** The minimal stream pino.multistream writes to. */
export interface LogDestination {
  write(line: string): boolean;
  flushSync(): void;
  end(): void;
}

/** Destinations whose buffered lines are written out when the process exits (as pino does for its own). */
const live = new Set<LogDestination>();
let exitHooked = false;

/**
 * The log file opened now, its folder made: a SonicBoom given a path opens it asynchronously, and
 * the lines of a process that exited before that open finished (a short `run`, a host under
 * load) were lost, the exit flush finding it "not ready yet".
 */
function openLogFile(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  return openSync(file, 'a');
}

export function logDestination(opts: LogDestinationOptions): LogDestination {
  let opened: number | Error;
  try {
    opened = typeof opts.dest === 'number' ? opts.dest : openLogFile(opts.dest);
  } catch (e) {
    opened = e as Error;
  }
  // a file that cannot be opened: a destination failed from the start (said once, below).
  // A file is written synchronously, each line as it comes: written asynchronously, a line still
  // in flight at the exit came after the lines the exit flush wrote (or never, the process gone
  // first): a short run's log read 1, 2, 0 on a loaded host. The console stays asynchronous (a
  // pipe to a slow reader must not hold up the pipeline).
  const sonic = new SonicBoom({ fd: typeof opened === 'number' ? opened : 2, sync: typeof opts.dest !== 'number' });
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    const code = (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
    try {
      // straight to the descriptor: the console's own stream may be the one that failed
      if (firstToSay(opts.dest)) writeSync(2, `chorus-flux: ${opts.label} can no longer be written (${code}); its lines are dropped from now on, the journal still records every file\n`);
    } catch {
      /* nowhere left to say it */
    }
    try {
      sonic.destroy();
    } catch {
      /* already closed */
    }
  };
  sonic.on('error', fail);
  if (typeof opened !== 'number') fail(opened);
  const dest: LogDestination = {
    write(line: string): boolean {
      if (failed) return true;
      try {
        return sonic.write(line);
      } catch (e) {
        fail(e);
        return true;
      }
    },
    flushSync(): void {
      if (failed) return;
      try {
        sonic.flushSync();
      } catch (e) {
        // "not ready yet" before the file is open is harmless; anything else ends this destination
        if ((e as Error)?.message !== 'sonic boom is not ready yet') fail(e);
      }
    },
    end(): void {
      live.delete(dest);
      if (failed) return;
      try {
        sonic.end();
      } catch (e) {
        fail(e);
      }
    },
  };
  live.add(dest);
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const d of live) d.flushSync();
    });
  }
  return dest;
}
