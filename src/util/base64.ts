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
  const compact = WS.test(input) ? input.replace(WS_ALL, '') : input;
  const n = compact.length;
  if (n === 0) return { ok: false, reason: 'the embedded content is empty' };
  if (n % 4 !== 0) return { ok: false, reason: `the embedded content is not valid base64 (length ${n} is not a multiple of 4)` };
  const pad = compact.charCodeAt(n - 1) === 61 ? (compact.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  const bytes = Buffer.from(compact, 'base64');
  // Node also takes the URL-safe alphabet (- and _), which base64Binary does not allow
  if (bytes.length === (n / 4) * 3 - pad && !compact.includes('-') && !compact.includes('_')) return { ok: true, bytes };
  const bad = compact.search(BAD);
  const where = bad >= 0 ? `character "${compact[bad]}" at offset ${bad}` : 'padding in the middle';
  return { ok: false, reason: `the embedded content is not valid base64 (${where})` };
}
