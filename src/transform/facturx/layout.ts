/**
 * A small page-flow helper for the visible invoice: A4 pages, a cursor that moves down,
 * automatic page breaks (with a callback to repeat a table header), text in DejaVu Sans with
 * wrapping measured from the font's advance widths.
 *
 * It writes each page's content stream itself (text, filled rectangles, rules — DeviceRGB
 * only) rather than through pdf-lib's drawText/drawRectangle, which build an object per
 * operator and per number: that was most of the rendering time. Each character still goes
 * once through pdf-lib's font (`encodeText`), which adds its glyph to the subset; its hex code
 * is then taken from this document's cache (one glyph per character: no shaping is drawn).
 * Operators are written as bytes as they come (content-bytes.ts), not kept as strings.
 */
import { ContentBytes } from './content-bytes';
import { flate } from './flate';
import { rawStream } from './raw-stream';
import { PDFName, PDFPage, rgb, type PDFDocument, type PDFFont, type RGB } from 'pdf-lib';
import { drawable, textWidth, type FontKey } from './fonts';
import { glyphHex } from './font-objects';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 40;
export const CONTENT_WIDTH = A4[0] - 2 * MARGIN;
const TOP = A4[1] - MARGIN;
/** space kept for the footer: nothing of the body is drawn below */
export const BOTTOM = MARGIN + 22;
/** The height a page has for the body. */
export const PAGE_ROOM = TOP - BOTTOM;
/** The smallest size a cell's value (an amount) is shrunk to; past it, it wraps. */
export const MIN_FIT_SIZE = 6;
/** A text drawn longer than this (a 40,000-letter item name) is cut: the XML carries it whole. */
export const MAX_DRAWN_CHARS = 5000;
/** What ends a text cut in the visible invoice. */
const CUT_MARK = '[…]';

export const INK = rgb(0.11, 0.11, 0.13);
export const MUTED = rgb(0.4, 0.42, 0.46);
export const ACCENT = rgb(0.09, 0.27, 0.52);
export const RULE = rgb(0.78, 0.8, 0.84);
export const SHADE = rgb(0.93, 0.95, 0.97);

export interface TextStyle {
  font?: FontKey;
  size?: number;
  color?: RGB;
  /** right-align in a box of this width starting at x */
  alignRight?: number;
}

/** A PDF number: at most 2 decimals, no exponent, no trailing zeros. */
function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  return r === 0 ? '0' : String(r);
}

// the few colours and sizes in use, written once each: every text operator names both
const colorText = new Map<RGB, string>();
const sizeText = new Map<number, string>();

function color(c: RGB): string {
  let t = colorText.get(c);
  if (t === undefined) {
    t = `${num(c.red)} ${num(c.green)} ${num(c.blue)}`;
    if (colorText.size < 64) colorText.set(c, t);
  }
  return t;
}

function sizeNum(n: number): string {
  let t = sizeText.get(n);
  if (t === undefined) {
    t = num(n);
    if (sizeText.size < 64) sizeText.set(n, t);
  }
  return t;
}

interface PageContent {
  page: PDFPage;
  content: ContentBytes;
  fontKeys: Partial<Record<FontKey, string>>;
}

export class Layout {
  readonly pages: PDFPage[] = [];
  private readonly contents: PageContent[] = [];
  private current!: PageContent;
  y = TOP;
  /** called after an automatic page break (e.g. to repeat a table header) */
  onBreak?: () => void;
  /** per font, code point → the hex code of its glyph in this document's subset */
  private readonly codes: Record<FontKey, Map<number, string>> = { regular: new Map(), bold: new Map() };
  /** the same for ASCII, by char code: most of what is drawn, read without hashing */
  private readonly asciiHex: Record<FontKey, string[]> = { regular: new Array<string>(128), bold: new Array<string>(128) };

  constructor(private readonly doc: PDFDocument, private readonly fonts: Record<FontKey, PDFFont>) {
    this.newPage();
  }

  get page(): PDFPage {
    return this.current.page;
  }

  newPage(): void {
    // what addPage(A4) makes, without its setSize: that read back the page's four other boxes
    // (none on a new page) through pdf-lib's inherited-attribute lookups
    const page = PDFPage.create(this.doc);
    page.node.set(PDFName.MediaBox, this.doc.context.obj([0, 0, A4[0], A4[1]]));
    this.doc.addPage(page);
    this.pages.push(page);
    this.current = { page, content: new ContentBytes(), fontKeys: {} };
    this.contents.push(this.current);
    this.y = TOP;
  }

  private fontKey(key: FontKey): string {
    let k = this.current.fontKeys[key];
    if (k === undefined) {
      const f = this.fonts[key];
      k = this.current.page.node.newFontDictionary(f.name, f.ref).toString();
      this.current.fontKeys[key] = k;
    }
    return k;
  }

  /** Writes every page's content stream (Flate, Node's zlib). Call once, at the end. */
  finish(): void {
    for (const c of this.contents) {
      const bytes = flate(c.content.view());
      const stream = rawStream(this.doc.context, bytes, { Filter: 'FlateDecode' });
      c.page.node.set(PDFName.of('Contents'), this.doc.context.register(stream));
    }
  }

  /** Makes room for `h` points; breaks the page when there is not enough. */
  ensure(h: number): void {
    if (!this.fits(h)) this.breakPage();
  }

  /** Whether `h` points from the cursor stay above the footer. */
  fits(h: number, y = this.y): boolean {
    return y - h >= BOTTOM;
  }

  /** A new page, with what a break repeats (a table header). */
  breakPage(): void {
    this.newPage();
    this.onBreak?.();
  }

  text(x: number, y: number, s: string, style: TextStyle = {}): void {
    const font = style.font ?? 'regular';
    const size = style.size ?? 9;
    const t = drawable(font, s);
    if (t === '') return;
    const dx = style.alignRight !== undefined ? style.alignRight - textWidth(font, t, size) : 0;
    const out = this.current.content;
    out.op();
    // piece by piece: one template string per text built a string of fragments, then flattened to be read
    out.write('BT ');
    out.write(this.fontKey(font));
    out.write(' ');
    out.write(sizeNum(size));
    out.write(' Tf ');
    out.write(color(style.color ?? INK));
    out.write(' rg ');
    out.write(num(x + dx));
    out.write(' ');
    out.write(num(y));
    out.write(' Td <');
    this.writeHex(out, font, t);
    out.write('> Tj ET');
  }

  /**
   * Writes the text as hex glyph codes of the subset: what pdf-lib's encodeText gives for the
   * whole string, as subset glyph ids are given in order of first use and each character is
   * one glyph.
   */
  private writeHex(out: ContentBytes, font: FontKey, t: string): void {
    const ascii = this.asciiHex[font];
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 128) {
        let h = ascii[c];
        if (h === undefined) ascii[c] = h = this.glyphCode(font, c);
        out.write(h);
        continue;
      }
      const cp = t.codePointAt(i) as number;
      out.write(this.glyphCode(font, cp));
      if (cp > 0xffff) i++;
    }
  }

  /** The hex code of a code point's glyph, from the font the first time (which adds the glyph to the subset, font-objects.ts). */
  private glyphCode(font: FontKey, cp: number): string {
    const known = this.codes[font];
    let h = known.get(cp);
    if (h === undefined) {
      h = glyphHex(this.fonts[font], cp);
      known.set(cp, h);
    }
    return h;
  }

  width(s: string, font: FontKey = 'regular', size = 9): number {
    return textWidth(font, drawable(font, s), size);
  }

  /**
   * A value that must be read whole (an amount) in a cell `width` wide: at `size` when it
   * fits, else shrunk until it does, and past MIN_FIT_SIZE cut into lines at that size. It
   * never runs into the next cell, and is shortened only past `maxLines` lines (marked […]).
   */
  fit(s: string, width: number, font: FontKey = 'regular', size = 9, maxLines = Infinity): { size: number; lines: string[] } {
    const t = drawable(font, s);
    if (t === '') return { size, lines: [] };
    const w = textWidth(font, t, size);
    if (w <= width) return { size, lines: [t] };
    // rounded down to a tenth: the size written, and still narrow enough
    const smaller = Math.floor(((size * width) / w) * 10) / 10;
    const min = Math.min(size, MIN_FIT_SIZE);
    if (smaller >= min) return { size: smaller, lines: [t] };
    // a cell of a row must fit a page: past maxLines the rest is cut, marked […] (the XML has it whole)
    return { size: min, lines: maxLines === Infinity ? this.wrapAll(t, width, font, min) : this.wrap(t, width, font, min, maxLines) };
  }

  /**
   * Splits text into lines no wider than `width` (words, then characters for long words), in
   * time linear in the text: each word and each character of a long word is measured once.
   * Widths are summed in font units (integers, exact), so the cuts are those of measuring
   * every candidate line whole. Text past MAX_DRAWN_CHARS, or past `maxLines` lines, is cut
   * and marked […]: the XML carries it whole.
   */
  wrap(s: string, width: number, font: FontKey = 'regular', size = 9, maxLines = Infinity): string[] {
    let t = drawable(font, s);
    if (t === '') return [];
    if (t.length > MAX_DRAWN_CHARS) t = `${t.slice(0, MAX_DRAWN_CHARS)} ${drawable(font, CUT_MARK)}`;
    const lines = this.wrapAll(t, width, font, size);
    if (lines.length <= maxLines) return lines;
    // a block drawn in one piece (a party, a table row) must fit its page: the rest is in the XML
    const kept = lines.slice(0, maxLines);
    const mark = ` ${drawable(font, CUT_MARK)}`;
    let last = kept[maxLines - 1];
    while (last.length > 0 && textWidth(font, last + mark, size) > width) last = last.slice(0, -1);
    kept[maxLines - 1] = (last + mark).trimStart();
    return kept;
  }

  private wrapAll(t: string, width: number, font: FontKey, size: number): string[] {
    const fits = (units: number) => (units * size) / 1000 <= width;
    const space = textWidth(font, ' ', 1000);
    const lines: string[] = [];
    let line = '';
    let lineUnits = 0;
    for (const word of t.split(' ')) {
      const units = textWidth(font, word, 1000);
      if (line && fits(lineUnits + space + units)) {
        line += ` ${word}`;
        lineUnits += space + units;
        continue;
      }
      if (line) lines.push(line);
      if (fits(units)) {
        line = word;
        lineUnits = units;
        continue;
      }
      // a word wider than the line: cut it by characters, at least one per line
      let from = 0;
      let acc = 0;
      for (let i = 0; i < word.length; ) {
        const cp = word.codePointAt(i) as number;
        const n = cp > 0xffff ? 2 : 1;
        const cu = textWidth(font, word.slice(i, i + n), 1000);
        if (i > from && !fits(acc + cu)) {
          lines.push(word.slice(from, i));
          from = i;
          acc = 0;
        }
        acc += cu;
        i += n;
      }
      line = word.slice(from);
      lineUnits = acc;
    }
    if (line) lines.push(line);
    return lines;
  }

  rect(x: number, y: number, w: number, h: number, fill: RGB): void {
    const out = this.current.content;
    out.op();
    out.write(`${color(fill)} rg ${num(x)} ${num(y)} ${num(w)} ${num(h)} re f`);
  }

  hline(y: number, x1 = MARGIN, x2 = MARGIN + CONTENT_WIDTH, stroke: RGB = RULE, thickness = 0.6): void {
    const out = this.current.content;
    out.op();
    out.write(`${color(stroke)} RG ${sizeNum(thickness)} w ${num(x1)} ${num(y)} m ${num(x2)} ${num(y)} l S`);
  }

  /** A section title with a rule under it. */
  heading(title: string): void {
    this.ensure(30);
    this.y -= 14;
    this.text(MARGIN, this.y, title.toUpperCase(), { font: 'bold', size: 8.5, color: ACCENT });
    this.y -= 4;
    this.hline(this.y, MARGIN, MARGIN + CONTENT_WIDTH, ACCENT, 0.8);
    this.y -= 4;
  }

  /** Footer on every page, once the page count is known. */
  footer(left: string): void {
    const n = this.pages.length;
    this.contents.forEach((c, k) => {
      this.current = c;
      this.hline(MARGIN + 10, MARGIN, MARGIN + CONTENT_WIDTH, RULE, 0.5);
      this.text(MARGIN, MARGIN, left, { size: 7, color: MUTED });
      this.text(MARGIN, MARGIN, `Page ${k + 1} / ${n}`, { size: 7, color: MUTED, alignRight: CONTENT_WIDTH });
    });
  }
}
