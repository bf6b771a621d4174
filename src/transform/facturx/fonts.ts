/**
 * The fonts of the visible invoice: DejaVu Sans and DejaVu Sans Bold (npm dejavu-fonts-ttf,
 * Bitstream Vera / DejaVu licence: free to embed). Read and parsed once per process; every
 * document embeds a subset of them (PDF/A needs embedded fonts; pdf-lib's standard 14 are not).
 *
 * pdf-lib asks its "fontkit" to parse the font bytes for each document. Parsing, the cmap
 * and the glyph metrics are the hot spot of a small PDF, so the fontkit handed to pdf-lib
 * returns the already parsed font; each document still makes its own subset.
 */
import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TrueTypeSource } from './ttf-subset';

export type FontKey = 'regular' | 'bold';

/** The part of a fontkit font this module uses. */
export interface ParsedFont {
  unitsPerEm: number;
  postscriptName: string;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
}

const FILES: Record<FontKey, string> = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' };

function fontDir(): string {
  return path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

interface Loaded {
  bytes: Uint8Array;
  /** the fontkit font, with a cmap-only layout (see fastLayout) */
  font: ParsedFont;
  /** advance width per code point, in 1/1000 em; NaN when the font has no glyph */
  widths: Map<number, number>;
  /** the widths of ASCII as drawn (a missing glyph as "?"), by char code: most of what is measured */
  ascii?: Float64Array;
}

const loaded = new Map<FontKey, Loaded>();

/**
 * pdf-lib lays text out with fontkit's shaping engine (GSUB/GPOS lookups) for every string it
 * draws or measures, and subsets with fontkit's TTFSubset, which re-encodes every table:
 * together most of the time of a one-page PDF. Text drawn without ligatures nor kerning needs
 * only the cmap (one glyph per code point), and ttf-subset.ts copies raw glyph programs. The
 * returned font is the fontkit font with those two methods replaced.
 */
function fastLayout(font: ParsedFont, bytes: Uint8Array): ParsedFont {
  const byCodePoint = new Map<number, unknown>();
  const glyphOf = (cp: number) => {
    let g = byCodePoint.get(cp);
    if (g === undefined) {
      g = font.glyphForCodePoint(cp);
      byCodePoint.set(cp, g);
    }
    return g;
  };
  const layout = (text: string) => {
    const glyphs: unknown[] = [];
    for (const ch of text) glyphs.push(glyphOf(ch.codePointAt(0) as number));
    return { glyphs, positions: [] };
  };
  const source = new TrueTypeSource(bytes);
  return Object.create(font, { layout: { value: layout }, createSubset: { value: () => source.createSubset() } }) as ParsedFont;
}

function load(key: FontKey): Loaded {
  let l = loaded.get(key);
  if (!l) {
    const bytes = new Uint8Array(readFileSync(path.join(fontDir(), FILES[key])));
    const font = fastLayout(fontkit.create(bytes as Buffer) as unknown as ParsedFont, bytes);
    l = { bytes, font, widths: new Map() };
    loaded.set(key, l);
  }
  return l;
}

export function fontBytes(key: FontKey): Uint8Array {
  return load(key).bytes;
}

/** A fontkit for pdf-lib's registerFontkit: hands back the parsed font for known bytes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pdf-lib's Fontkit type describes fontkit's whole Font
export const cachedFontkit: { create(data: Uint8Array): any } = {
  create(data: Uint8Array): any {
    for (const key of Object.keys(FILES) as FontKey[]) {
      const l = load(key);
      if (l.bytes === data) return l.font;
    }
    return fontkit.create(data as Buffer);
  },
};

function widthOf(l: Loaded, cp: number): number {
  let w = l.widths.get(cp);
  if (w === undefined) {
    w = l.font.hasGlyphForCodePoint(cp) ? (l.font.glyphForCodePoint(cp).advanceWidth * 1000) / l.font.unitsPerEm : Number.NaN;
    l.widths.set(cp, w);
  }
  return w;
}

/** True when the font draws the code point (PDF/A forbids .notdef references). */
export function hasGlyph(key: FontKey, cp: number): boolean {
  return !Number.isNaN(widthOf(load(key), cp));
}

/**
 * Text safe to draw with the font: controls and line breaks become spaces, runs of white
 * space collapse, characters the font lacks become "?" (no .notdef glyph in a PDF/A).
 */
// one map per font, keyed by the text itself: a key built per call would be hashed per call
const drawableCache: Record<FontKey, Map<string, string>> = { regular: new Map(), bold: new Map() };

export function drawable(key: FontKey, text: string): string {
  if (isPlainAscii(text) && asciiDrawn(key)) return text;
  const cache = drawableCache[key];
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const out = computeDrawable(key, text);
  if (cache.size > 10_000) cache.clear();
  cache.set(text, out);
  return out;
}

/** Printable ASCII with single spaces between words: what computeDrawable leaves as it is. */
function isPlainAscii(t: string): boolean {
  let space = true; // a leading space is not plain
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x20) {
      if (space) return false;
      space = true;
    } else if (c > 0x20 && c < 0x7f) space = false;
    else return false;
  }
  return !space;
}

const asciiChecked: Partial<Record<FontKey, boolean>> = {};

/** True when the font draws every printable ASCII character (checked once per font). */
function asciiDrawn(key: FontKey): boolean {
  let ok = asciiChecked[key];
  if (ok === undefined) {
    ok = true;
    for (let cp = 0x21; cp < 0x7f && ok; cp++) ok = hasGlyph(key, cp);
    asciiChecked[key] = ok;
  }
  return ok;
}

const SPACE = /\s/;

function computeDrawable(key: FontKey, text: string): string {
  let out = '';
  let space = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || cp === 0x20 || (cp > 0x7f && cp !== 0xa0 && SPACE.test(ch))) {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += hasGlyph(key, cp) ? ch : '?';
  }
  return out;
}

function drawnWidth(l: Loaded, cp: number): number {
  const x = widthOf(l, cp);
  return Number.isNaN(x) ? widthOf(l, 0x3f) : x;
}

function asciiWidths(l: Loaded): Float64Array {
  if (!l.ascii) {
    l.ascii = new Float64Array(128);
    for (let c = 0; c < 128; c++) l.ascii[c] = drawnWidth(l, c);
  }
  return l.ascii;
}

/**
 * Width of drawable text at a size, in points (sum of advance widths; no kerning is drawn).
 * Every cell of a table is measured to size its column, then again to fit it: ASCII is read
 * from an array, the rest from the per-code-point map.
 */
export function textWidth(key: FontKey, text: string, size: number): number {
  const l = load(key);
  const ascii = asciiWidths(l);
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      w += ascii[c];
      continue;
    }
    const cp = text.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    w += drawnWidth(l, cp);
  }
  return (w * size) / 1000;
}
