/**
 * Strict base64: Node's own decoder silently skips bad characters, which would turn a
 * damaged attachment into a different file. Whitespace (line wrapping) is allowed.
 * The check costs nothing extra: a decoded length shorter than the text promises means the
 * decoder skipped something; only then is the text searched for the culprit.
 */
const WS = /\s/;
const WS_ALL = /\s+/g;
const BAD = /[^A-Za-z0-9+/=]/;

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; reason: string };

export function decodeBase64Strict(input: string): Base64Result {
  // The usual case, unwrapped base64, costs one decode and no scan: whitespace or any other
  // skipped character would make the decoded length fall short of what the length promises.
  const fast = decodeIfExact(input);
  if (fast) return { ok: true, bytes: fast };
  const compact = WS.test(input) ? input.replace(WS_ALL, '') : input;
  const n = compact.length;
  if (n === 0) return { ok: false, reason: 'the embedded content is empty' };
  if (n % 4 !== 0) return { ok: false, reason: `the embedded content is not valid base64 (length ${n} is not a multiple of 4)` };
  const bytes = decodeIfExact(compact);
  if (bytes) return { ok: true, bytes };
  const bad = compact.search(BAD);
  const where = bad >= 0 ? `character "${compact[bad]}" at offset ${bad}` : 'padding in the middle';
  return { ok: false, reason: `the embedded content is not valid base64 (${where})` };
}

/** The decoded bytes when `text` is exactly valid base64 with no other character, else undefined. */
function decodeIfExact(text: string): Buffer | undefined {
  const n = text.length;
  if (n === 0 || n % 4 !== 0) return undefined;
  const pad = text.charCodeAt(n - 1) === 61 ? (text.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  const bytes = Buffer.from(text, 'base64');
  // Node also takes the URL-safe alphabet (- and _), which base64Binary does not allow
  if (bytes.length === (n / 4) * 3 - pad && !text.includes('-') && !text.includes('_')) return bytes;
  return undefined;
}

/**
 * Decoded bytes whose text is exactly what encoding them gives (base64TextOf): an attachment
 * copied into an output is written from its own text, not encoded again (docs/PERFORMANCE.md,
 * thirty-second round). A WeakMap: the text lives as long as the bytes, no longer.
 */
const texts = new WeakMap<Uint8Array, Buffer>();

/**
 * Whether `text` (exact base64 of `bytes`: every character of the alphabet, none skipped) is
 * the text encoding gives. Each whole quantum of 4 characters is 3 bytes and back; only the
 * last, padded one has spare bits, which a decoder ignores and an encoder writes as 0.
 */
function isCanonical(text: Buffer, bytes: Buffer, pad: number): boolean {
  const n = text.length;
  return text.toString('latin1', n - 4) === bytes.toString('base64', bytes.length - (3 - pad));
}

/** The base64 text (ASCII bytes) these decoded bytes came from, when it is exactly what encoding them gives. */
export function base64TextOf(bytes: Uint8Array): Buffer | undefined {
  return texts.get(bytes);
}

/** Base64 text decoded per slice of this many characters (a multiple of 4): small strings, warm memory. */
const SLICE = 1 << 16;

/**
 * decodeBase64Strict of a text held as bytes (ASCII), without making it one string: exact
 * base64 is decoded a 64 KiB slice at a time into the result; anything else (white space, a
 * bad character, misplaced padding) goes through decodeBase64Strict, for the same result and
 * the same message.
 */
export function decodeBase64StrictBytes(b: Buffer): Base64Result {
  const n = b.length;
  // "-" and "_" (the URL-safe alphabet) are taken by Node's decoder, not by base64Binary
  if (n > 0 && n % 4 === 0 && b.indexOf(0x2d) < 0 && b.indexOf(0x5f) < 0) {
    const pad = b[n - 1] === 0x3d ? (b[n - 2] === 0x3d ? 2 : 1) : 0;
    const bytes = Buffer.allocUnsafeSlow((n / 4) * 3 - pad);
    let at = 0;
    // a skipped character or padding inside a slice makes that slice decode short
    for (let i = 0; i < n; i += SLICE) at += bytes.write(b.toString('latin1', i, Math.min(n, i + SLICE)), at, 'base64');
    if (at === bytes.length) {
      if (isCanonical(b, bytes, pad)) texts.set(bytes, b);
      return { ok: true, bytes };
    }
  }
  return decodeBase64Strict(b.toString('latin1'));
}
