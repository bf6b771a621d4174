/**
 * The two per-document parts of pdf-lib's font embedding that cost most, made from text kept
 * per glyph for the process: the CIDFont's /W array and the ToUnicode CMap. pdf-lib built an
 * object per width (formatting each number) and formatted every glyph's hex codes anew for
 * each document; a Factur-X draws the same few dozen glyphs each time. The bytes written are
 * pdf-lib's own, character for character (a test compares whole PDFs with pdf-lib's output).
 * Also the glyph code of a character, as encodeText gives it (glyphHex).
 */
import { PDFNumber, PDFObject, type PDFContext, type PDFFont, type PDFRef } from 'pdf-lib';

/** A glyph as pdf-lib's subset embedder holds it. */
export interface EmbeddedGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}

/** The part of pdf-lib's CustomFontSubsetEmbedder replaced here (instance methods, this document's font only). */
export interface SubsetEmbedder {
  scale: number;
  glyphs: EmbeddedGlyph[];
  glyphId(glyph: EmbeddedGlyph | undefined): number;
  computeWidths(): unknown;
  embedUnicodeCmap(context: PDFContext): PDFRef;
}

/** The parts of that embedder its encodeText uses (one glyph added to the subset). */
interface EncodingEmbedder extends SubsetEmbedder {
  font: { layout(text: string, features?: unknown): { glyphs: EmbeddedGlyph[] } };
  fontFeatures: unknown;
  subset: { includeGlyph(glyph: EmbeddedGlyph): number };
  glyphIdMap: Map<number, number>;
  glyphCache: { invalidate(): void };
}

/** A PDF object written as the given text (ASCII). */
class PDFText extends PDFObject {
  constructor(private readonly text: string) {
    super();
  }

  override clone(): PDFText {
    return this;
  }

  override toString(): string {
    return this.text;
  }

  override sizeInBytes(): number {
    return this.text.length;
  }

  override copyBytesInto(buffer: Uint8Array, offset: number): number {
    const t = this.text;
    for (let i = 0; i < t.length; i++) buffer[offset + i] = t.charCodeAt(i);
    return t.length;
  }
}

/** pdf-lib's number text of a glyph's width (PDFNumber: no exponent), by font scale and glyph object. */
const widthTexts = new Map<number, WeakMap<EmbeddedGlyph, string>>();
/** The code points' part of a glyph's CMap line ("<0041>"), by glyph object. */
const unicodeText = new WeakMap<EmbeddedGlyph, string>();
/** "<0001>"… by subset glyph id. */
const idText: string[] = [];

const hex4 = (n: number) => n.toString(16).padStart(4, '0').toUpperCase();

function idHex(id: number): string {
  return (idText[id] ??= `<${hex4(id)}>`);
}

/** "0001"… by subset glyph id: pdf-lib's toHexStringOfMinLength(id, 4). */
const bareIdText: string[] = [];

/**
 * The hex code of one code point's glyph in this document's subset, the glyph added to the
 * subset the first time: what `font.encodeText(character)` does and gives (its text without
 * the angle brackets), without its argument check, array of codes and PDFHexString. The layout
 * asks once per character and document (layout.ts); a document draws 60 to 100 of them.
 */
export function glyphHex(font: PDFFont, cp: number): string {
  const e = (font as unknown as { embedder: EncodingEmbedder }).embedder;
  const glyphs = e.font.layout(String.fromCodePoint(cp), e.fontFeatures).glyphs;
  if (glyphs.length !== 1) return font.encodeText(String.fromCodePoint(cp)).toString().slice(1, -1);
  (font as unknown as { modified: boolean }).modified = true;
  const glyph = glyphs[0];
  const id = e.subset.includeGlyph(glyph);
  e.glyphs[id - 1] = glyph;
  e.glyphIdMap.set(glyph.id, id);
  e.glyphCache.invalidate();
  return (bareIdText[id] ??= hex4(id));
}

/** As pdf-lib's CMap.ts cmapCodePointFormat: UTF-16 code units, 4 hex digits each. */
function unicodeHex(g: EmbeddedGlyph): string {
  let t = unicodeText.get(g);
  if (t === undefined) {
    t = '<';
    for (const cp of g.codePoints) {
      if (cp < 0 || cp > 0x10ffff) throw new Error(`0x${cp.toString(16)} is not a valid UTF-8 or UTF-16 codepoint.`);
      t += cp <= 0xffff ? hex4(cp) : hex4(Math.floor((cp - 0x10000) / 0x400) + 0xd800) + hex4(((cp - 0x10000) % 0x400) + 0xdc00);
    }
    t += '>';
    unicodeText.set(g, t);
  }
  return t;
}

/** As CustomFontEmbedder.computeWidths, written as pdf-lib writes the array it returned. */
export function widths(e: SubsetEmbedder): PDFObject {
  const glyphs = e.glyphs;
  let widthText = widthTexts.get(e.scale);
  if (widthText === undefined) widthTexts.set(e.scale, (widthText = new WeakMap()));
  let out = '[ ';
  for (let idx = 0; idx < glyphs.length; idx++) {
    const g = glyphs[idx];
    const id = e.glyphId(g);
    if (idx === 0) out += `${id} [ `;
    else if (id - e.glyphId(glyphs[idx - 1]) !== 1) out += `] ${id} [ `;
    let w = widthText.get(g);
    if (w === undefined) {
      w = PDFNumber.of(g.advanceWidth * e.scale).toString();
      widthText.set(g, w);
    }
    out += `${w} `;
  }
  return new PDFText(`${out}] ]`);
}

/** As pdf-lib's CMap.ts createCmap (the same template). */
export function toUnicodeCmap(e: SubsetEmbedder): string {
  const glyphs = e.glyphs;
  const lines = new Array<string>(glyphs.length);
  for (let idx = 0; idx < glyphs.length; idx++) lines[idx] = `${idHex(e.glyphId(glyphs[idx]))} ${unicodeHex(glyphs[idx])}`;
  return `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo <<\n  /Registry (Adobe)\n  /Ordering (UCS)\n  /Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000><ffff>\nendcodespacerange\n${glyphs.length} beginbfchar\n${lines.join('\n')}\nendbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend`;
}

/**
 * Makes this document's font write its /W and ToUnicode from the per-glyph texts. Only for a
 * subset font embedded by pdf-lib (`embedFont(…, { subset: true })`); call before `flush()`.
 */
export function useCachedFontTexts(font: PDFFont): void {
  const e = (font as unknown as { embedder: SubsetEmbedder }).embedder;
  const enc = e as EncodingEmbedder;
  if (!Array.isArray(e.glyphs) || typeof e.scale !== 'number' || typeof enc.glyphIdMap?.set !== 'function' || typeof enc.subset?.includeGlyph !== 'function' || typeof enc.glyphCache?.invalidate !== 'function' || typeof enc.font?.layout !== 'function') {
    throw new Error('useCachedFontTexts: not a pdf-lib subset font');
  }
  e.computeWidths = () => widths(e);
  e.embedUnicodeCmap = (context: PDFContext) => context.register(context.flateStream(toUnicodeCmap(e)));
}
