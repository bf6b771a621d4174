/**
 * Streams a day of the journal, line by line, writer file by writer file (sorted by name),
 * so a day of any size is read with the memory of one line. Unparsable lines are handed to
 * `onDamaged`, never thrown. `SequenceCheck` follows each writer's `seq` (1, 2, 3… per day).
 */
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { JournalLine } from '../journal/journal';

/** Where a line is: `journal/<day>/<writer>.jsonl:<line number>`. */
export interface LineRef {
  /** relative to the output root */
  file: string;
  line: number;
}

export function refText(r: LineRef): string {
  return `${r.file}:${r.line}`;
}

export async function writerFiles(journalDir: string, day: string): Promise<string[]> {
  try {
    return (await fs.readdir(path.join(journalDir, day))).filter((f) => f.endsWith('.jsonl')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export interface DayReadStats {
  writerFiles: number;
  lines: number;
  damaged: number;
}

/**
 * Calls `onLine` for every line of every writer file of `day`. `onFileStart`/`onFileEnd`
 * frame each writer file (for the sequence check). I/O errors other than a missing day are thrown.
 */
export async function readJournalDayStream(
  journalDir: string,
  day: string,
  handlers: {
    onLine(line: JournalLine, ref: LineRef): void;
    onDamaged?(ref: LineRef, text: string): void;
    onFileStart?(file: string): void;
    onFileEnd?(file: string): void;
    /** after the lines of each chunk read (about 1 MB): a point to do I/O for what was read */
    onChunk?(): Promise<void>;
    /** a look at a line's text before it is parsed: false skips it (a search reads only what may match) */
    accept?(text: string): boolean;
  },
): Promise<DayReadStats> {
  const files = await writerFiles(journalDir, day);
  const stats: DayReadStats = { writerFiles: files.length, lines: 0, damaged: 0 };
  for (const f of files) {
    const rel = `journal/${day}/${f}`;
    handlers.onFileStart?.(rel);
    let n = 0;
    const handle = (text: string) => {
      n++;
      if (!text.trim()) return;
      if (handlers.accept && !handlers.accept(text)) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== 'object' || typeof (parsed as { event?: unknown }).event !== 'string') {
        stats.damaged++;
        // a fresh copy: a slice would keep the whole read chunk alive
        handlers.onDamaged?.({ file: rel, line: n }, Buffer.from(text.length > 200 ? `${text.slice(0, 200)}…` : text).toString());
        return;
      }
      stats.lines++;
      handlers.onLine(parsed as JournalLine, { file: rel, line: n });
    };
    // chunks split on \n by hand (readline is slower); the decoder keeps UTF-8 sequences whole
    let carry = '';
    for await (const chunk of createReadStream(path.join(journalDir, day, f), { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const text = carry + (chunk as string);
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl >= 0) {
        handle(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      carry = text.slice(start);
      await handlers.onChunk?.();
    }
    if (carry) handle(carry);
    await handlers.onChunk?.();
    handlers.onFileEnd?.(rel);
  }
  return stats;
}

export interface SequenceIssue {
  kind: 'gap' | 'order';
  file: string;
  writer: string;
  /** gap: first and last missing numbers; order: the number seen and the one expected */
  from: number;
  to: number;
  line: number;
}

/** Follows `seq` in one writer file: 1, 2, 3…; a missing run is a gap, a repeat or step back is an order issue. */
export class SequenceCheck {
  private last = 0;
  readonly issues: SequenceIssue[] = [];
  constructor(readonly file: string) {}

  get writer(): string {
    return path.basename(this.file, '.jsonl');
  }

  see(seq: unknown, line: number): void {
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) {
      this.issues.push({ kind: 'order', file: this.file, writer: this.writer, from: Number.NaN, to: this.last + 1, line });
      return;
    }
    if (seq === this.last + 1) {
      this.last = seq;
    } else if (seq > this.last + 1) {
      this.issues.push({ kind: 'gap', file: this.file, writer: this.writer, from: this.last + 1, to: seq - 1, line });
      this.last = seq;
    } else {
      this.issues.push({ kind: 'order', file: this.file, writer: this.writer, from: seq, to: this.last + 1, line });
      this.last = Math.max(this.last, seq);
    }
  }
}
