/**
 * How many input bytes the runner processes at once. Small files go 8 per thread, but a flow
 * takes about five times its size in memory while it is processed (a 120 MB flow peaks at
 * ~630 MB): sixteen of them at once would not fit. A file starts when its bytes fit in the
 * budget with those already in flight, or when nothing else is in flight (so a file larger
 * than the budget still runs, alone). Files start in their order: a big file waiting for room
 * is not overtaken by the small ones behind it.
 *
 * A file may turn out to hold more than its size on disk: a Factur-X of 136 KB whose embedded
 * XML inflates to 25 MB was counted 136 KB, so eight such PDFs ran at once whatever the budget
 * (1.5 GB of RSS under 32 MiB, where one alone takes 560 MB). Its processing asks for the difference (`grow`) once it knows it, before it parses
 * the XML: it waits, ahead of the files not started, until that fits — or until every file in
 * flight is waiting so (none could finish to make room), when the first of them goes on.
 */
import { statSync } from 'node:fs';

export const DEFAULT_MAX_BYTES_IN_FLIGHT = 128 * 1024 * 1024;

/**
 * Files in flight per thread by default: most of a file's time is waiting for its writes to
 * be durable, so more files in flight keep the core busy (8 against 4: 5 % less wall time
 * without Factur-X, 2 % with it, measured on two machines; docs/PERFORMANCE.md).
 */
export const DEFAULT_FILES_IN_FLIGHT = 8;

export class InFlightBudget {
  private bytes = 0;
  private files = 0;
  private readonly waiting: { size: number; start: () => void }[] = [];
  /** files in flight waiting for more bytes (grow), served before any file starts */
  private readonly growing: { extra: number; start: () => void }[] = [];

  /** @param maxBytes input bytes in flight at most (one file of any size always may start). Default 128 MiB. */
  constructor(readonly maxBytes: number = DEFAULT_MAX_BYTES_IN_FLIGHT) {}

  /** Whether a file of `size` bytes may start now (nobody waits before it, and it fits). */
  fits(size: number): boolean {
    return this.waiting.length === 0 && this.growing.length === 0 && this.fitsNow(size);
  }

  /** Counts a file as started; call only when `fits` said so (or through `acquire`). */
  take(size: number): void {
    this.bytes += size;
    this.files++;
  }

  /**
   * Waits for room in order, then counts the file as started (true). Once `stop` is aborted (the
   * worker shuts down) a file not started yet gives up its place instead, never counted (false):
   * nothing of it was read, its job goes back to the queue.
   */
  acquire(size: number, stop?: AbortSignal): Promise<boolean> {
    if (stop?.aborted) return Promise.resolve(false);
    if (this.fits(size)) {
      this.take(size);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const entry = {
        size,
        start: () => {
          stop?.removeEventListener('abort', giveUp);
          resolve(true);
        },
      };
      const giveUp = () => {
        const k = this.waiting.indexOf(entry);
        if (k < 0) return;
        this.waiting.splice(k, 1);
        resolve(false);
        this.serve();
      };
      stop?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(entry);
    });
  }

  /**
   * `extra` more bytes for a file in flight (what it turned out to hold): `now` when they were
   * counted at once, else `granted` resolves once they are. `withdraw` takes the request back
   * if it is still waiting (its thread stopped): its bytes are then never counted, and it says
   * true. The file's release gives back its size and what it grew.
   */
  grow(extra: number): { granted: Promise<void>; now: boolean; withdraw: () => boolean } {
    if (extra <= 0) return { granted: Promise.resolve(), now: true, withdraw: () => false };
    let resolve = () => undefined as void;
    const granted = new Promise<void>((r) => (resolve = r));
    let counted = false;
    const entry = {
      extra,
      start: () => {
        counted = true;
        resolve();
      },
    };
    this.growing.push(entry);
    this.serve();
    const withdraw = () => {
      const k = this.growing.indexOf(entry);
      if (k < 0) return false;
      this.growing.splice(k, 1);
      this.serve();
      return true;
    };
    return { granted, now: counted, withdraw };
  }

  /** A file of `size` bytes (with what it grew) is done: the next waiting ones start while they fit. */
  release(size: number): void {
    this.bytes -= size;
    this.files--;
    this.serve();
  }

  private serve(): void {
    // files in flight first: they hold memory already, and may be what the others wait for
    while (this.growing.length > 0 && (this.bytes + this.growing[0].extra <= this.maxBytes || this.growing.length >= this.files)) {
      const g = this.growing.shift() as { extra: number; start: () => void };
      this.bytes += g.extra;
      g.start();
    }
    while (this.growing.length === 0 && this.waiting.length > 0 && this.fitsNow(this.waiting[0].size)) {
      const w = this.waiting.shift() as { size: number; start: () => void };
      this.take(w.size);
      w.start();
    }
  }

  /** Bytes and files in flight now. */
  get inFlight(): { bytes: number; files: number } {
    return { bytes: this.bytes, files: this.files };
  }

  private fitsNow(size: number): boolean {
    return this.files === 0 || this.bytes + size <= this.maxBytes;
  }
}

/** The size of a file about to be processed (0 when it cannot be read: processing will say why). */
export function sizeOnDisk(file: string | Buffer): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
