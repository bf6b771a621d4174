/**
 * The whole characters (grapheme clusters) at the start or the end of a text, for cuts that
 * keep at most a few hundred code points (a reason of 300, a file name of 50).
 *
 * Why not segment the whole text: V8's Intl.Segmenter gives every segment object its own copy
 * of the whole input (`input`, made again from ICU's copy at each step), so segmenting a text
 * of n code units costs n × n bytes when the segments are kept and n × (segments read) when
 * they are not. A 1 MB attachment name (under FLUX-TAILLE's 1 MB per value) made the thread
 * need terabytes: the `run` grew past 14 GB and never ended, or died with "heap out of memory"
 * (found by the ingest fuzz, test/validation/ingest-fuzz.test.ts). Only a window of the text is
 * segmented: `units` UTF-16 code units (what the kept part can hold, two per code point) and a
 * margin, so every break inside the window is the one the whole text has.
 */
const segmenter = new Intl.Segmenter('fr', { granularity: 'grapheme' });

/** Room past the kept part's own size, so that the cluster at the window's edge is never one we keep. */
const MARGIN = 64;
/**
 * How far the start of an end window moves back over marks, joiners and regional indicators (a
 * cluster's context): a cluster longer than that is cut as if it began there (text still, never
 * half a code point).
 */
const CONTEXT = 1024;

/**
 * Where a window may not start, a break after it depending on what comes before: a low
 * surrogate, a mark, a format character (ZWJ…), an emoji modifier, a regional indicator (paired
 * from the start of their run), or anything after a ZWJ (an emoji sequence).
 */
const CONTINUES = /^(?:[\udc00-\udfff]|\p{M}|\p{Cf}|\p{Emoji_Modifier}|[\u{1F1E6}-\u{1F1FF}])/u;
const midCluster = (text: string, i: number) => text[i - 1] === '\u200d' || CONTINUES.test(text.slice(i, i + 2));

/**
 * The grapheme clusters of `text` from its start, as far as its first `codePoints` code points
 * reach at least (more may come: the caller stops when its budget is spent).
 */
export function leadingGraphemes(text: string, codePoints: number): string[] {
  let size = 2 * codePoints + MARGIN;
  if (text.length <= size) return Array.from(segmenter.segment(text), (g) => g.segment);
  if (/[\ud800-\udbff]/.test(text[size - 1])) size--; // not between the halves of a surrogate pair
  // a prefix has every break the whole text has; its last cluster may be cut short: dropped
  const parts = Array.from(segmenter.segment(text.slice(0, size)), (g) => g.segment);
  parts.pop();
  return parts;
}

/** The grapheme clusters of `text` toward its end, last first, covering at least its last `codePoints` code points. */
export function trailingGraphemes(text: string, codePoints: number): string[] {
  const size = 2 * codePoints + MARGIN;
  if (text.length <= size) return Array.from(segmenter.segment(text), (g) => g.segment).reverse();
  let start = text.length - size;
  // a break depends on what comes before it (an accent on its letter, an emoji sequence, flags
  // paired from the start of their run): start the window where a cluster can begin
  const floor = Math.max(0, start - CONTEXT);
  while (start > floor && midCluster(text, start)) start--;
  const parts = Array.from(segmenter.segment(text.slice(start)), (g) => g.segment);
  if (start > 0) parts.shift(); // its first cluster may be the end of a longer one
  return parts.reverse();
}
