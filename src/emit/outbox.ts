/**
 * The output tree (DESIGN.md §7): pivot/<recepteur>/, statut/<partner>/, cdar/<partner>/,
 * archive/<day>/, error/<day>/ (+ .reason.json). Every write is atomic; every path is built
 * from validated ids and a single cleaned name segment, so nothing lands outside the root.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JournalOutput } from '../journal/events';
import { sha256 } from '../util/hash';
import { readFileIfExists } from '../util/read-if-exists';
import { writeFileAtomic, type FileData, type FilePart } from './atomic-write';

/** One path segment from an untrusted name: no separators, no dot-only names, no controls. */
export function safeSegment(name: string, fallback = 'unnamed'): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '_').trim();
  if (!cleaned || /^\.+$/.test(cleaned)) return fallback;
  return cleaned.length > 200 ? cleaned.slice(0, 200) : cleaned;
}

export class Outbox {
  constructor(readonly root: string) {}

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

  private async put(kind: JournalOutput['kind'], abs: string, data: FileData, extra: Partial<JournalOutput> = {}, knownSha256?: string): Promise<JournalOutput> {
    // hashed and counted while written: a big output is never encoded twice
    const w = await writeFileAtomic(abs, data, { knownSha256 });
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
   * the same day gets the content hash in its name, so nothing is overwritten.
   */
  async keepOriginal(kind: 'archive' | 'error', day: string, name: string, bytes: Uint8Array, sha: string): Promise<JournalOutput> {
    const [plain, alt] = this.originalPaths(kind, day, name, sha);
    let abs = plain;
    try {
      const held = readFileIfExists(plain); // usually not there yet
      if (held !== undefined && sha256(held) !== sha) abs = alt;
    } catch {
      /* unreadable: taken as not there */
    }
    return this.put(kind, abs, bytes, {}, sha);
  }

  /** Where keepOriginal puts an original: its name, or (when taken by other content) the name with the content hash. */
  originalPaths(kind: 'archive' | 'error', day: string, name: string, sha: string): [string, string] {
    const seg = safeSegment(name);
    const dot = seg.lastIndexOf('.');
    const alt = dot > 0 ? `${seg.slice(0, dot)}.${sha.slice(0, 12)}${seg.slice(dot)}` : `${seg}.${sha.slice(0, 12)}`;
    return [this.resolve(kind, day, seg), this.resolve(kind, day, alt)];
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
          bytes = readFileSync(abs);
        } catch {
          continue;
        }
        if (sha256(bytes) !== sha) continue;
        found.push({ kind, path: this.relative(abs), sha256: sha, bytes: bytes.length });
        if (kind !== 'error') continue;
        try {
          const reason = readFileSync(`${abs}.reason.json`);
          found.push({ kind: 'reason', path: this.relative(`${abs}.reason.json`), sha256: sha256(reason), bytes: reason.length });
        } catch {
          /* the attempt stopped before writing it */
        }
      }
    }
    return found;
  }

  writeReason(originalRel: string, reason: unknown): Promise<JournalOutput> {
    const abs = this.resolve(`${originalRel}.reason.json`);
    return this.put('reason', abs, JSON.stringify(reason, null, 2) + '\n');
  }
}
