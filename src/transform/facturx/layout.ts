/**
 * A small page-flow helper over pdf-lib for the visible invoice: A4 pages, a cursor that
 * moves down, automatic page breaks (with a callback to repeat a table header), text in
 * DejaVu Sans with wrapping measured from the font's advance widths.
 */
import { rgb, type PDFDocument, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { drawable, textWidth, type FontKey } from './fonts';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 40;
export const CONTENT_WIDTH = A4[0] - 2 * MARGIN;
const TOP = A4[1] - MARGIN;
/** space kept for the footer */
const BOTTOM = MARGIN + 22;

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

export class Layout {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  y = TOP;
  /** called after an automatic page break (e.g. to repeat a table header) */
  onBreak?: () => void;

  constructor(private readonly doc: PDFDocument, private readonly fonts: Record<FontKey, PDFFont>) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = TOP;
  }

  /** Makes room for `h` points; breaks the page when there is not enough. */
  ensure(h: number): void {
    if (this.y - h < BOTTOM) {
      this.newPage();
      this.onBreak?.();
    }
  }

  text(x: number, y: number, s: string, style: TextStyle = {}): void {
    const font = style.font ?? 'regular';
    const size = style.size ?? 9;
    const t = drawable(font, s);
    if (t === '') return;
    const dx = style.alignRight !== undefined ? style.alignRight - textWidth(font, t, size) : 0;
    this.page.drawText(t, { x: x + dx, y, size, font: this.fonts[font], color: style.color ?? INK });
  }

  width(s: string, font: FontKey = 'regular', size = 9): number {
    return textWidth(font, drawable(font, s), size);
  }

  /** Splits text into lines no wider than `width` (words, then characters for long words). */
  wrap(s: string, width: number, font: FontKey = 'regular', size = 9): string[] {
    const t = drawable(font, s);
    if (t === '') return [];
    const lines: string[] = [];
    let line = '';
    for (const word of t.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (textWidth(font, candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (textWidth(font, rest, size) > width) {
        let k = rest.length - 1;
        while (k > 1 && textWidth(font, rest.slice(0, k), size) > width) k--;
        lines.push(rest.slice(0, k));
        rest = rest.slice(k);
      }
      line = rest;
    }
    if (line) lines.push(line);
    return lines;
  }

  rect(x: number, y: number, w: number, h: number, color: RGB): void {
    this.page.drawRectangle({ x, y, width: w, height: h, color });
  }

  hline(y: number, x1 = MARGIN, x2 = MARGIN + CONTENT_WIDTH, color: RGB = RULE, thickness = 0.6): void {
    this.page.drawLine({ start: { x: x1, y }, end: { x: x2, y }, thickness, color });
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
    this.pages.forEach((p, k) => {
      this.page = p;
      this.hline(MARGIN + 10, MARGIN, MARGIN + CONTENT_WIDTH, RULE, 0.5);
      this.text(MARGIN, MARGIN, left, { size: 7, color: MUTED });
      this.text(MARGIN, MARGIN, `Page ${k + 1} / ${n}`, { size: 7, color: MUTED, alignRight: CONTENT_WIDTH });
    });
  }
}
