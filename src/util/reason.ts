/**
 * IPM4-009: every reason written into a flow is at most 300 characters. It is cut at a word
 * boundary when one lies in its last quarter, else after the last whole character; never inside a character (a surrogate pair or a letter with its combining
 * accent stays whole), and ends with "…" when cut. The full text stays in the journal.
 */
import { leadingGraphemes } from './graphemes';

export const MAX_REASON = 300;

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function cutReason(text: string, max = MAX_REASON): string {
  // controls, a lone surrogate (a message cut inside an emoji before it came here) and the
  // non-characters U+FFFE/U+FFFF are no text an XML flow may carry
  const clean = text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (codePoints(clean) <= max) return clean;
  const budget = max - 1; // room for the ellipsis
  let used = 0;
  let end = 0; // UTF-16 index after the last whole grapheme that fits
  let lastSpace = -1;
  let index = 0;
  for (const segment of leadingGraphemes(clean, budget)) {
    const n = codePoints(segment);
    if (used + n > budget) break;
    used += n;
    end = index + segment.length;
    if (/\s/.test(segment)) lastSpace = index;
    index += segment.length;
  }
  // prefer a word boundary unless it throws away more than a quarter of the text
  const cut = lastSpace > budget * 0.75 ? lastSpace : end;
  return clean.slice(0, cut).trimEnd() + '…';
}
