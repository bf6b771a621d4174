/**
 * "Is this file complete?" An SFTP client writes a file under its final name little by
 * little; the file is taken only when its size and mtime have not changed for `stableMs`.
 */
export interface FileStat {
  size: number;
  mtimeMs: number;
}

interface Seen extends FileStat {
  since: number;
}

export class StabilityTracker {
  private seen = new Map<string, Seen>();

  constructor(private readonly stableMs: number) {}

  /** Records an observation at `now` (ms on a monotonic clock: performance.now()); true once the file has looked the same for stableMs. */
  observe(path: string, stat: FileStat, now: number): boolean {
    const prev = this.seen.get(path);
    if (!prev || prev.size !== stat.size || prev.mtimeMs !== stat.mtimeMs) {
      this.seen.set(path, { ...stat, since: now });
      return false;
    }
    return now - prev.since >= this.stableMs;
  }

  forget(path: string): void {
    this.seen.delete(path);
  }

  pending(): string[] {
    return [...this.seen.keys()];
  }
}
