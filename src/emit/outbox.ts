/**
 * The output tree (DESIGN.md §7): pivot/<recepteur>/, statut/<partner>/, cdar/<partner>/,
 * archive/<day>/, error/<day>/ (+ .reason.json). Every write is atomic; every path is built
 * from validated ids and a single cleaned name segment, so nothing lands outside the root.
 */
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JournalOutput } from '../journal/events';
import { fitName } from '../util/fit-name';
import { sha256, sha256OfFile } from '../util/hash';
import { checkRealFolders } from '../util/real-folder';
import { copyFileAtomic, ensureDir, writeFileAtomic, type FileData, type FilePart } from './atomic-write';
import type { WriteBatch } from './write-batch';

/**
 * Bytes a kept name may hold: room is left for the content hash (13) and `.reason.json` (12)
 * within the 255-byte limit of a name (temp names cut their own copy: tempNameFor).
 */
export const SEGMENT_MAX_BYTES = 200;

/** What a refused original's reason is named after it. */
export const REASON_SUFFIX = '.reason.json';

/** Hash-tagged names tried for an original whose own name holds other content. */
const TAGGED_NAMES = 10;

/**
 * One path segment from an untrusted name: no separators, no dot-only names, no controls, at
 * most 200 bytes. A backslash is a letter of a Linux name: made `_`, not a separator to cut at
 * (`back\..\slash.xml` was kept as `slash.xml`, its start lost).
 */
export function safeSegment(name: string, fallback = 'unnamed'): string {
  const base = name.split('/').pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f\\]/g, '_').trim();
  if (!cleaned || /^\.+$/.test(cleaned)) return fallback;
  return fitName(cleaned, SEGMENT_MAX_BYTES);
}

export class Outbox {
  /** `batch`: the write batch of the file whose outputs this view writes (inBatch); none: each write durable before it returns. */
  constructor(
    readonly root: string,
    private readonly batch?: WriteBatch,
  ) {}

  /** The same outbox, its writes made durable by `batch`'s commit (one file's outputs). */
  inBatch(batch: WriteBatch): Outbox {
    // a view of this very outbox, not a new one of the base class: a subclass's or a test's
    // overrides (an outbox that fails on purpose) hold for the file's writes too
    return Object.assign(Object.create(this) as Outbox, { batch });
  }

  /** Absolute path inside the root; refuses anything that would escape it. */
  resolve(...segments: string[]): string {
    const p = path.resolve(this.root, ...segments);
    const rel = path.relative(this.root, p);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`refusing to write outside ${this.root}: ${p}`);
    return p;
  }

  relative(abs: string): string {
    return path.relative(this.root, abs).split(path.sep).join('/');
  }

  /**
   * Makes the folder `abs` goes into and checks that it and every folder above it under the
   * root are real folders (util/real-folder.ts): a partner's link in its outbox is never
   * followed. Said plainly too when the folder cannot be made (a file in the way, a loop).
   */
  private async realFolderOf(abs: string): Promise<void> {
    const dir = path.dirname(abs);
    try {
      await ensureDir(dir);
    } catch (e) {
      checkRealFolders(this.root, dir);
      throw e;
    }
    checkRealFolders(this.root, dir);
  }

  private async put(kind: JournalOutput['kind'], abs: string, data: FileData, extra: Partial<JournalOutput> = {}, knownSha256?: string): Promise<JournalOutput> {
    await this.realFolderOf(abs);
    // hashed and counted while written: a big output is never encoded twice
    // named at the commit, just before the outcome is journaled: a partner's transfer never
    // takes an output whose file may yet be processed again
    const w = await writeFileAtomic(abs, data, { knownSha256, visibleAtCommit: true, batch: this.batch });
    return { kind, path: this.relative(abs), sha256: w.sha256, bytes: w.bytes, ...extra };
  }

  /** `xml`: the text, or its consecutive pieces (serializePivotParts) */
  writePivot(recepteurId: string, fileName: string, xml: string | readonly FilePart[], extra: Partial<JournalOutput> = {}): Promise<JournalOutput> {
    return this.put('pivot', this.resolve('pivot', safeSegment(recepteurId), safeSegment(fileName)), xml, { recepteurId, ...extra });
  }

  writeStatus(kind: 'statut' | 'cdar', partner: string, fileName: string, xml: string, extra: Partial<JournalOutput> = {}): Promise<JournalOutput> {
    return this.put(kind, this.resolve(kind, safeSegment(partner), safeSegment(fileName)), xml, { partner, ...extra });
  }

  /**
   * Keeps an original under archive/<day>/ or error/<day>/. The same name with other content
   * the same day gets the content hash in its name, so nothing is overwritten, even when two
   * files of that name are kept at the same moment (by two threads, workers or machines): the
   * name is taken atomically, never after a check.
   */
  async keepOriginal(kind: 'archive' | 'error', day: string, name: string, bytes: Uint8Array, sha: string): Promise<JournalOutput> {
    return this.keepAs(kind, day, name, sha, (target, noClobber) => writeFileAtomic(target, bytes, { knownSha256: sha, noClobber, batch: this.batch }).then((w) => w.bytes));
  }

  /**
   * keepOriginal for a file too big to read whole (over `limits.maxFileBytes`): copied from
   * `source` by the kernel, under the same naming rule, and checked against `sha` (the
   * source could change between its hashing and its copy).
   */
  async keepLargeOriginal(kind: 'archive' | 'error', day: string, name: string, source: string | Buffer, sha: string): Promise<JournalOutput> {
    return this.keepAs(kind, day, name, sha, (target, noClobber) => copyFileAtomic(source, target, { noClobber, expectSha256: sha }));
  }

  /**
   * The first of the original's names (originalPaths) that is free (taken without overwriting)
   * or already holds this content (written again: same bytes, made durable). A name holding
   * other content is never written: a partner can name a file as another's hash-tagged name.
   */
  private async keepAs(kind: 'archive' | 'error', day: string, name: string, sha: string, write: (target: string, noClobber: boolean) => Promise<number>): Promise<JournalOutput> {
    const candidates = this.originalPaths(kind, day, name, sha);
    await this.realFolderOf(candidates[0]);
    for (const target of candidates) {
      let bytes: number;
      try {
        bytes = await write(target, true);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        // a link or a FIFO at the name is no copy of ours: read, it was followed (a FIFO hung the run)
        if (!isRegularFile(target)) continue;
        const held = await sha256OfFile(target).catch(() => undefined);
        if (held !== sha) continue;
        bytes = await write(target, false);
      }
      return { kind, path: this.relative(target), sha256: sha, bytes };
    }
    throw new Error(`cannot keep ${name} in ${kind}/${day}/: its ${candidates.length} possible names all hold other content`);
  }

  /**
   * The names an original may be kept under, in order: its own name, then the name tagged with
   * its content hash (`a.<12 hex>.xml`, then `a.<12 hex>-2.xml` …), which only a file named so
   * on purpose can hold. A name ending in `.reason.json` is never an original's own name: it is
   * where the reason of the original of the shorter name goes.
   */
  originalPaths(kind: 'archive' | 'error', day: string, name: string, sha: string): string[] {
    const seg = safeSegment(name);
    const dot = seg.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [seg.slice(0, dot), seg.slice(dot)] : [seg, ''];
    const names = seg.endsWith(REASON_SUFFIX) ? [] : [seg];
    for (let n = 1; n <= TAGGED_NAMES; n++) names.push(`${stem}.${sha.slice(0, 12)}${n > 1 ? `-${n}` : ''}${ext}`);
    return names.map((n) => this.resolve(kind, day, n));
  }

  /**
   * Copies of an original with content `sha` already in archive/ or error/ under this name,
   * as journal outputs (with the `.reason.json` of an error copy).
   */
  keptCopies(day: string, name: string, sha: string): JournalOutput[] {
    const found: JournalOutput[] = [];
    for (const kind of ['archive', 'error'] as const) {
      for (const abs of this.originalPaths(kind, day, name, sha)) {
        let bytes: Buffer;
        try {
          if (!isRegularFile(abs)) continue;
          bytes = readFileSync(abs);
        } catch {
          continue;
        }
        if (sha256(bytes) !== sha) continue;
        found.push({ kind, path: this.relative(abs), sha256: sha, bytes: bytes.length });
        if (kind !== 'error') continue;
        try {
          const reason = readFileSync(`${abs}${REASON_SUFFIX}`);
          found.push({ kind: 'reason', path: this.relative(`${abs}${REASON_SUFFIX}`), sha256: sha256(reason), bytes: reason.length });
        } catch {
          /* the attempt stopped before writing it */
        }
      }
    }
    return found;
  }

  writeReason(originalRel: string, reason: unknown): Promise<JournalOutput> {
    const abs = this.resolve(`${originalRel}${REASON_SUFFIX}`);
    return this.put('reason', abs, JSON.stringify(reason, null, 2) + '\n');
  }
}

/** A regular file at `abs` itself (a link is not followed). */
function isRegularFile(abs: string): boolean {
  try {
    return lstatSync(abs).isFile();
  } catch {
    return false;
  }
}
