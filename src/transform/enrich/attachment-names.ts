/**
 * Attachment names (IPM4-001). An attachment's own name never becomes a path: NomPJ is a
 * cleaned name (safe characters, at most 50 with its extension, unique in the invoice);
 * NomPJOrigine keeps the name as sent (control characters removed, at most 50 — its middle cut —,
 * extension kept).
 */
import { leadingGraphemes, trailingGraphemes } from '../../util/graphemes';

export const MAX_NAME = 50;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Last path segment of a name written with / or \ separators (C:\a\b.pdf → b.pdf). */
export function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

function splitExt(name: string): { stem: string; ext: string } {
  const i = name.lastIndexOf('.');
  if (i <= 0 || i === name.length - 1) return { stem: name, ext: '' };
  const ext = name.slice(i + 1);
  return /^[A-Za-z0-9]{1,10}$/.test(ext) ? { stem: name.slice(0, i), ext } : { stem: name, ext: '' };
}

/**
 * The whole characters (grapheme clusters) of `s` that fit in `n` code points, taken from its
 * start, or from its end: a cut by code points left an accent without its letter at the
 * start of the kept end ("…\u0301bbb.pdf", the accent on the ellipsis) or half an emoji sequence.
 * Only the clusters near that end are looked at (util/graphemes: a long name segmented whole
 * took gigabytes).
 */
function fitting(s: string, n: number, fromEnd: boolean): string {
  const parts = fromEnd ? trailingGraphemes(s, n) : leadingGraphemes(s, n);
  const kept: string[] = [];
  let used = 0;
  for (const g of parts) {
    const k = [...g].length;
    if (used + k > n) break;
    used += k;
    kept.push(g);
  }
  return (fromEnd ? kept.reverse() : kept).join('');
}

/**
 * Cuts to `max` code points (the XSD's maxLength counts them) keeping the extension and both
 * ends of the stem, joined by `joiner`, each a run of whole characters:
 * a name's end is often what tells it apart (843312_2021-09-30_HU_E-INVOICE_21-620198615-006.pdf
 * lost its "6" when cut at its end).
 */
export function fitName(name: string, max = MAX_NAME, joiner = '…'): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const { stem, ext } = splitExt(name);
  const suffix = ext ? `.${ext}` : '';
  const room = Math.max(1, max - [...suffix].length);
  const j = [...joiner].length;
  if (room <= j + 1) return fitting(stem, room, false) + suffix;
  const head = Math.ceil((room - j) / 2);
  const tail = room - j - head;
  return fitting(stem, head, false) + joiner + (tail > 0 ? fitting(stem, tail, true) : '') + suffix;
}

/** The name as sent, made writable into XML: control characters out, at most 50 (its middle cut). */
export function originalName(name: string): string {
  const cleaned = name.replace(CONTROL, '').trim();
  return fitName(cleaned);
}

/** A name a pivot may carry as it came: at most 50, no separator, no control, not blank or dots only. */
export function isPlainName(name: string): boolean {
  return [...name].length <= MAX_NAME && name.trim() === name && !/^\.*$/.test(name) && !/[\\/]/.test(name) && !new RegExp(CONTROL.source).test(name);
}

/** Device names Windows reserves, with or without an extension (checked on the stem before its first dot). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;

/** A safe file name: ASCII letters, digits, dot, dash and underscore; accents folded. */
export function safeName(raw: string, fallback: string, defaultExt?: string): string {
  const folded = baseName(raw.replace(CONTROL, ''))
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  let { stem, ext } = splitExt(folded);
  stem = stem.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_+/g, '_').replace(/^[._-]+/, '').replace(/[._]+$/, '');
  ext = ext.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  if (!ext && defaultExt) ext = defaultExt;
  if (!stem) stem = fallback;
  // a finance system on Windows cannot create CON, NUL, COM1… whatever their extension
  stem = stem.replace(WINDOWS_RESERVED, '$1_$2');
  return fitName(ext ? `${stem}.${ext}` : stem, MAX_NAME, '_');
}

/** Makes names unique (case-insensitive) by numbering the later ones: a.pdf, a_2.pdf … */
export function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((n) => {
    let candidate = n;
    for (let k = 2; seen.has(candidate.toLowerCase()); k++) {
      const { stem, ext } = splitExt(n);
      const suffix = `_${k}${ext ? `.${ext}` : ''}`;
      // its middle cut, as fitName does: the end that tells names apart stays
      candidate = fitName(stem, MAX_NAME - [...suffix].length, '_') + suffix;
    }
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}
