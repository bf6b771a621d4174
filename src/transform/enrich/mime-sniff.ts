/**
 * MIME type from content (magic bytes), from a file extension, and the comparison with a
 * declared mimeCode. Table: schemas/mime-magic.json.
 */
import magic from '../../../schemas/mime-magic.json';

interface Sniffed {
  mime: string;
  ext: string;
}

const SIGS = magic.signatures.map((s) => ({ ...s, bytes: Buffer.from(s.hex, 'hex') }));
const BY_EXT = magic.byExtension as Record<string, string>;

function zipKind(bytes: Uint8Array): Sniffed {
  // office formats name their parts in the first local headers; 64 KB is plenty
  const head = Buffer.from(bytes.subarray(0, 65536)).toString('latin1');
  for (const m of magic.zipMembers) if (head.includes(m.contains)) return { mime: m.mime, ext: m.ext };
  return { mime: 'application/zip', ext: 'zip' };
}

/** The MIME type the bytes say, or undefined when the content is not recognised. */
export function sniffMime(bytes: Uint8Array | undefined): Sniffed | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  for (const s of SIGS) {
    if (bytes.length < s.offset + s.bytes.length) continue;
    if (Buffer.from(bytes.subarray(s.offset, s.offset + s.bytes.length)).equals(s.bytes)) {
      return s.mime === 'application/zip' ? zipKind(bytes) : { mime: s.mime, ext: s.ext };
    }
  }
  // %PDF- may come after a few bytes of junk; readers accept it in the first 1 KB
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return { mime: 'application/pdf', ext: 'pdf' };
  const text = head.replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  for (const t of magic.textual) if (text.startsWith(t.startsWith)) return { mime: t.mime, ext: t.ext };
  return undefined;
}

export function mimeForExtension(ext: string): string | undefined {
  return BY_EXT[ext.toLowerCase()];
}

export function extensionForMime(mime: string): string | undefined {
  const m = mime.toLowerCase();
  return Object.entries(BY_EXT).find(([, v]) => v === m)?.[0];
}

/** Equivalent spellings of the same type (image/jpg is common for image/jpeg). */
const ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'text/xml': 'application/xml', 'application/x-pdf': 'application/pdf', 'image/tif': 'image/tiff' };

export function sameMime(a: string, b: string): boolean {
  const n = (x: string) => ALIASES[x.trim().toLowerCase()] ?? x.trim().toLowerCase();
  return n(a) === n(b);
}
