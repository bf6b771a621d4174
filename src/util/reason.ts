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

/**
 * Several reasons in one (a suspension's: an engagement number and an attachment both missing),
 * as a flow carries it: joined whole when that fits in `max`, else each cut to an equal share,
 * so that every one is told (joined whole and cut at 300, the second one was lost past a long
 * recipient name: the supplier never heard the attachment was missing).
 */
export function joinReasons(reasons: readonly string[], max = MAX_REASON): string {
  const whole = reasons.join(' ');
  if (reasons.length < 2 || codePoints(whole) <= max) return whole;
  const share = Math.floor((max - (reasons.length - 1)) / reasons.length);
  return reasons.map((r) => cutReason(r, share)).join(' ');
}

/** Longest invoice number a label of a multi-invoice flow's line quotes whole (CPRO-LONGUEUR-NUMERO's bound). */
const LABEL_NUMBER = 20;

/**
 * An invoice number as a line of a multi-invoice flow names it ("Facture <number> : <reason>"):
 * whole up to 20 characters, else its start and "…", so that a number far too long (the very
 * defect CPRO-LONGUEUR-NUMERO refuses) cannot fill the 300 characters before the reason.
 */
export function labelNumber(n: string): string {
  return codePoints(n) <= LABEL_NUMBER ? n : cutReason(n, LABEL_NUMBER + 1);
}
