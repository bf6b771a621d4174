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

/**
 * A PDF by its first kilobyte (latin1): "%PDF-" may follow a few bytes of junk, as readers
 * accept; but a text that begins with "<" (after a byte-order mark and white space) is XML,
 * whatever it says of a PDF ("voir le fichier joint (%PDF-1.7)").
 */
export function looksLikePdf(head: string): boolean {
  return head.includes('%PDF-') && !/^(?:\uFEFF|\xEF\xBB\xBF)?\s*</.test(head);
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
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (looksLikePdf(head)) return { mime: 'application/pdf', ext: 'pdf' };
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

const normalMime = (x: string) => ALIASES[x.trim().toLowerCase()] ?? x.trim().toLowerCase();

export function sameMime(a: string, b: string): boolean {
  return normalMime(a) === normalMime(b);
}

/** Content types told by a start other files may have too ("<?xml" starts an SVG, "BM" a CSV). */
const UNSURE = new Set(['application/xml', 'text/html', 'image/svg+xml', 'image/bmp', 'application/pkcs7-signature']);

/** Whether the bytes say their type surely: an unsure start never overrides a declared type or a name. */
export function isSureSniff(mime: string): boolean {
  return !UNSURE.has(mime);
}

/**
 * The type an attachment is: its content's, where its bytes say it surely or nothing was
 * declared; else the declared one. `contradicted`: a declared type the bytes surely refute.
 */
export function contentMime(content: Uint8Array | undefined, declared: string | undefined): { mime: string | undefined; ext: string | undefined; contradicted: boolean } {
  const sniffed = sniffMime(content);
  const d = declared?.trim() || undefined;
  if (sniffed && (isSureSniff(sniffed.mime) || d === undefined)) return { mime: sniffed.mime, ext: sniffed.ext, contradicted: d !== undefined && !sameMime(sniffed.mime, d) };
  return { mime: d, ext: undefined, contradicted: false };
}
