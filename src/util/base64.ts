/**
 * Strict base64: Node's own decoder silently skips bad characters, which would turn a
 * damaged attachment into a different file. Whitespace (line wrapping) is allowed.
 */
const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; reason: string };

export function decodeBase64Strict(input: string): Base64Result {
  const compact = input.replace(/[\s]+/g, '');
  if (compact.length === 0) return { ok: false, reason: 'the embedded content is empty' };
  if (!ALPHABET.test(compact)) {
    const bad = compact.search(/[^A-Za-z0-9+/=]/);
    const where = bad >= 0 ? `character "${compact[bad]}" at offset ${bad}` : 'padding in the middle';
    return { ok: false, reason: `the embedded content is not valid base64 (${where})` };
  }
  if (compact.length % 4 !== 0) {
    return { ok: false, reason: `the embedded content is not valid base64 (length ${compact.length} is not a multiple of 4)` };
  }
  return { ok: true, bytes: Buffer.from(compact, 'base64') };
}
