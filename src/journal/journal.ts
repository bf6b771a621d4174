/**
 * The journal: the durable, append-only record of what happened to every file, read by
 * the reconciliation. One JSON line per event in `journal/<YYYY-MM-DD>/<writer>.jsonl`;
 * each writer (process) numbers its lines 1, 2, 3… per day so a missing line is visible.
 * Appends are group-committed: every event waits for the fsync of the batch it is in.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { dayOf, type Clock } from '../util/clock';
import type { JournalEvent } from './events';

export interface JournalOptions {
  /** folder holding the per-day folders */
  dir: string;
  clock: Clock;
  timezone: string;
  /** default: <hostname>-<pid>-<start time base 36> */
  writerId?: string;
}

export type JournalLine = JournalEvent & { seq: number; ts: string; writer: string };

interface Pending {
  event: JournalEvent;
  ts: string;
  resolve: (line: JournalLine) => void;
  reject: (e: Error) => void;
}

export function defaultWriterId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  // worker threads of one process each write their own file
  const thread = threadId > 0 ? `t${threadId}-` : '';
  return `${host}-${process.pid}-${thread}${Date.now().toString(36)}`;
}

export class Journal {
  readonly writerId: string;
  private seqByDay = new Map<string, number>();
  private queue = new Map<string, Pending[]>();
  private flushing: Promise<void> | undefined;
  private handles = new Map<string, { fh: fs.FileHandle; size: number }>();
  private closed = false;

  constructor(private readonly opts: JournalOptions) {
    this.writerId = opts.writerId ?? defaultWriterId();
  }

  fileFor(day: string): string {
    return path.join(this.opts.dir, day, `${this.writerId}.jsonl`);
  }

  /** The last sequence number already in this writer's file for `day` (a writer id reused after a restart). */
  private lastSeqOnDisk(day: string): number {
    let text: string;
    try {
      text = readFileSync(this.fileFor(day), 'utf8').trimEnd();
    } catch (e) {
      // no file yet; any other failure (EMFILE…) must not number lines again from 1
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    try {
      const last = text.slice(text.lastIndexOf('\n') + 1);
      return last ? (JSON.parse(last) as { seq?: number }).seq ?? 0 : 0;
    } catch {
      return 0; // a torn last line (a crash): the reconciliation reports it
    }
  }

  /**
   * Appends one event; resolves once it is on disk (fsync). The line is numbered when its
   * batch is written, so a batch that fails (disk full) leaves no gap in the numbering.
   */
  append(event: JournalEvent): Promise<JournalLine> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    const now = this.opts.clock.now();
    const day = dayOf(now, this.opts.timezone);
    return new Promise<JournalLine>((resolve, reject) => {
      const list = this.queue.get(day) ?? [];
      list.push({ event, ts: now.toISOString(), resolve, reject });
      this.queue.set(day, list);
      this.scheduleFlush();
    });
  }

  /**
   * Writes one day's batch: numbered, written whole (a short write is continued), fsynced.
   * On failure the file is cut back to where the batch began, so no torn line stays behind
   * for the reconciliation to report, and the numbers are not used.
   */
  private async writeBatch(day: string, items: Pending[]): Promise<void> {
    if (!this.seqByDay.has(day)) this.seqByDay.set(day, this.lastSeqOnDisk(day));
    const first = (this.seqByDay.get(day) ?? 0) + 1;
    const lines = items.map((i, k): JournalLine => ({ seq: first + k, ts: i.ts, writer: this.writerId, ...i.event }));
    const bytes = Buffer.from(lines.map((l) => JSON.stringify(l) + '\n').join(''), 'utf8');
    const h = await this.handle(day);
    const before = h.size;
    try {
      for (let at = 0; at < bytes.length; ) at += (await h.fh.write(bytes, at, bytes.length - at)).bytesWritten;
      await h.fh.datasync();
    } catch (e) {
      try {
        await h.fh.truncate(before);
      } catch {
        /* the next line starts after the torn one; the reconciliation reports it */
      }
      throw e;
    }
    h.size = before + bytes.length;
    this.seqByDay.set(day, first + items.length - 1);
    items.forEach((i, k) => i.resolve(lines[k]));
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      // let every event of the current tick join the batch
      await new Promise<void>((r) => setImmediate(r));
      while (this.queue.size > 0) {
        const batches = [...this.queue.entries()];
        this.queue.clear();
        for (const [day, items] of batches) {
          try {
            await this.writeBatch(day, items);
          } catch (e) {
            for (const i of items) i.reject(e as Error);
          }
        }
      }
      this.flushing = undefined;
    })();
  }

  private async handle(day: string): Promise<{ fh: fs.FileHandle; size: number }> {
    let h = this.handles.get(day);
    if (!h) {
      const file = this.fileFor(day);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const fh = await fs.open(file, 'a');
      h = { fh, size: (await fh.stat()).size };
      this.handles.set(day, h);
      // keep only today's and yesterday's handles open
      if (this.handles.size > 2) {
        const [oldDay, old] = this.handles.entries().next().value as [string, { fh: fs.FileHandle }];
        this.handles.delete(oldDay);
        await old.fh.close();
      }
    }
    return h;
  }

  /** Waits for pending appends and closes the files. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.closed = true;
    for (const h of this.handles.values()) await h.fh.close();
    this.handles.clear();
  }
}

/** Reads every line of every writer for one day. Unparsable lines are reported, not thrown. */
export async function readJournalDay(dir: string, day: string): Promise<{ lines: JournalLine[]; damaged: { file: string; line: number }[] }> {
  const folder = path.join(dir, day);
  let files: string[];
  try {
    files = (await fs.readdir(folder)).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    return { lines: [], damaged: [] };
  }
  const lines: JournalLine[] = [];
  const damaged: { file: string; line: number }[] = [];
  for (const f of files) {
    const text = await fs.readFile(path.join(folder, f), 'utf8');
    const rows = text.split('\n');
    rows.forEach((row, k) => {
      if (!row.trim()) return;
      try {
        lines.push(JSON.parse(row) as JournalLine);
      } catch {
        damaged.push({ file: path.join(day, f), line: k + 1 });
      }
    });
  }
  return { lines, damaged };
}
