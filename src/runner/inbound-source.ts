/**
 * A file handed to the pipeline, and the path to open it by. Apart from process-file.ts so that
 * the main thread of `run --threads N`, which lists and hands out files, does not load the
 * pipeline it never runs (PERFORMANCE.md, thirtieth round).
 */
import { openPath } from '../ingest/scan';

export interface InboundFile {
  /** where the bytes are now (the inbox for `run`, processing/ for workers) */
  path: string;
  /** name as it arrived (never used as a path beyond one cleaned segment) */
  name: string;
  /** path relative to the inbox root, for the journal */
  relPath: string;
  partner: string;
  /**
   * The bytes of `path` when a name on it is not UTF-8 (`run` over such a file): the file is
   * opened by these, `path`, `name` and `relPath` being their readable form (ingest/file-name.ts).
   */
  rawPath?: Uint8Array;
  /** hex of the bytes of `relPath` in that case, for the journal */
  rawRelPath?: string;
  /**
   * `run --min-age`: the file was listed as settled, unmodified since this moment (ms since the
   * epoch). Modified after it, or while it is read, it is not taken (FileNotTaken).
   */
  settledBefore?: number;
  /**
   * A worker found this content's lock held or left by a version from before 2026-12-06 as it
   * took the job (state/older-holder.ts): that attempt may have named outputs from the content alone.
   */
  olderAttempt?: true;
}

/** The path to open an inbound file by (its raw bytes when its name is not UTF-8). */
export function sourceOf(file: InboundFile): string | Buffer {
  return openPath({ abs: file.path, raw: file.rawPath });
}
