/**
 * The font's /W array and ToUnicode CMap are written from per-glyph texts kept for the process
 * (font-objects.ts) instead of by pdf-lib for each document: they must be pdf-lib's bytes.
 * Held equal to pdf-lib's own functions over glyph lists with gaps in their ids and code
 * points beyond the BMP, and whole PDFs drawn with and without them compared byte for byte.
 */
import { PDFContext, PDFDocument } from 'pdf-lib';
import { createCmap } from 'pdf-lib/cjs/core/embedders/CMap';
import CustomFontEmbedder from 'pdf-lib/cjs/core/embedders/CustomFontEmbedder';
import { glyphHex, toUnicodeCmap, useCachedFontTexts, widths, type EmbeddedGlyph, type SubsetEmbedder } from '../../src/transform/facturx/font-objects';
import { cachedFontkit, fontBytes, hasGlyph } from '../../src/transform/facturx/fonts';
import { Layout } from '../../src/transform/facturx/layout';
import { deflateStreams, useNativeDeflate } from '../../src/transform/facturx/pdfa';

const FEATURES = { liga: false, clig: false, kern: false, calt: false };

function embedder(glyphs: EmbeddedGlyph[], ids: number[], scale: number): SubsetEmbedder {
  const idOf = new Map(glyphs.map((g, k) => [g, ids[k]]));
  return {
    scale,
    glyphs,
    glyphId: (g) => (g ? (idOf.get(g) as number) : -1),
    computeWidths: () => undefined,
    embedUnicodeCmap: () => undefined as never,
  };
}

/** pdf-lib's /W, written as pdf-lib writes it. */
function pdfLibWidths(e: SubsetEmbedder): string {
  const arrays = (CustomFontEmbedder.prototype as unknown as { computeWidths(this: SubsetEmbedder): unknown }).computeWidths.call({ ...e, glyphCache: { access: () => e.glyphs } } as never);
  return PDFContext.create().obj(arrays as never).toString();
}

async function drawn(cached: boolean, lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  useNativeDeflate(doc);
  doc.registerFontkit(cachedFontkit);
  const fonts = {
    regular: await doc.embedFont(fontBytes('regular'), { subset: true, customName: 'ABCDEF+DejaVuSans', features: FEATURES }),
    bold: await doc.embedFont(fontBytes('bold'), { subset: true, customName: 'ABCDEF+DejaVuSans-Bold', features: FEATURES }),
  };
  if (cached) {
    useCachedFontTexts(fonts.regular);
    useCachedFontTexts(fonts.bold);
  }
  const L = new Layout(doc, fonts);
  lines.forEach((line, k) => L.text(40, 700 - 12 * k, line, { font: k % 2 ? 'bold' : 'regular' }));
  L.finish();
  await doc.flush();
  deflateStreams(doc);
  return doc.save({ useObjectStreams: false, addDefaultPage: false });
}

/**
 * A document whose lines are encoded either by pdf-lib's encodeText, a line at a time, or by
 * glyphHex, a character at a time (what the layout does): the codes and the saved PDF.
 */
async function encoded(byGlyph: boolean, lines: string[]): Promise<{ codes: string[]; pdf: Buffer }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  useNativeDeflate(doc);
  doc.registerFontkit(cachedFontkit);
  const fonts = [
    await doc.embedFont(fontBytes('regular'), { subset: true, customName: 'ABCDEF+DejaVuSans', features: FEATURES }),
    await doc.embedFont(fontBytes('bold'), { subset: true, customName: 'ABCDEF+DejaVuSans-Bold', features: FEATURES }),
  ];
  const codes = lines.map((line, k) => {
    const font = fonts[k % 2];
    return byGlyph ? [...line].map((ch) => glyphHex(font, ch.codePointAt(0) as number)).join('') : font.encodeText(line).toString().slice(1, -1);
  });
  await doc.flush();
  deflateStreams(doc);
  return { codes, pdf: Buffer.from(await doc.save({ useObjectStreams: false, addDefaultPage: false })) };
}

describe('/W and ToUnicode from per-glyph texts', () => {
  const glyphs: EmbeddedGlyph[] = [
    { id: 36, advanceWidth: 1401, codePoints: [0x41] },
    { id: 100, advanceWidth: 1300.5, codePoints: [0xe9] },
    { id: 5000, advanceWidth: 0, codePoints: [0x10300] },
    { id: 7, advanceWidth: 2048, codePoints: [0x66, 0x69] },
    { id: 8, advanceWidth: 1, codePoints: [0x20ac, 0x1f600] },
  ];

  it('are the texts pdf-lib writes, ids in a run or with gaps, code points beyond the BMP', () => {
    for (const [ids, scale] of [
      [[1, 2, 3, 4, 5], 1000 / 2048],
      [[1, 2, 7, 8, 20], 1000 / 2048],
      [[3, 1, 2, 9, 10], 1],
    ] as [number[], number][]) {
      const e = embedder(glyphs, ids, scale);
      expect(widths(e).toString()).toBe(pdfLibWidths(e));
      expect(toUnicodeCmap(e)).toBe(createCmap(glyphs as never, e.glyphId as never));
      // the second time from the kept texts
      expect(widths(e).toString()).toBe(pdfLibWidths(e));
      expect(toUnicodeCmap(e)).toBe(createCmap(glyphs as never, e.glyphId as never));
    }
  });

  it('a code point no UTF-16 can write is refused, as pdf-lib does', () => {
    const bad = embedder([{ id: 1, advanceWidth: 1, codePoints: [0x110000] }], [1], 1);
    expect(() => createCmap(bad.glyphs as never, bad.glyphId as never)).toThrow(/not a valid UTF-8 or UTF-16 codepoint/);
    expect(() => toUnicodeCmap(bad)).toThrow(/not a valid UTF-8 or UTF-16 codepoint/);
  });

  it('a glyph code taken a character at a time is the code and subset pdf-lib makes of the line', async () => {
    const lines = ['Facture N° 2026-001 — Total TTC 1 234,56 €', 'Société Générale « à l’œuvre » ÉÈÊ ß ø', `Ancien italique ${String.fromCodePoint(0x10300, 0x10301)} fin`, 'aaaa Facture 2026-001'];
    const byLine = await encoded(false, lines);
    const byGlyph = await encoded(true, lines);
    expect(byGlyph.codes).toEqual(byLine.codes);
    expect(byGlyph.codes[2]).toMatch(/^([0-9A-F]{4})+$/);
    expect(byGlyph.pdf.equals(byLine.pdf)).toBe(true);
  });

  it('a PDF drawn with them is byte for byte the one pdf-lib writes', async () => {
    expect(hasGlyph('regular', 0x10300)).toBe(true);
    const lines = ['Facture N° 2026-001 — Total TTC 1 234,56 €', 'Société Générale « à l’œuvre » ÉÈÊ ß ø', `Ancien italique ${String.fromCodePoint(0x10300, 0x10301)} fin`, '0123456789 ,.;:!?%&()[]{}<>/\\@#'];
    const plain = Buffer.from(await drawn(false, lines));
    const cached = Buffer.from(await drawn(true, lines));
    expect(cached.includes('/ToUnicode')).toBe(true);
    expect(cached.equals(plain)).toBe(true);
    // a second document reuses the texts kept from the first
    expect(Buffer.from(await drawn(true, [...lines].reverse())).equals(Buffer.from(await drawn(false, [...lines].reverse())))).toBe(true);
  });
});
