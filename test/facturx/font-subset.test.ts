/**
 * The font subsets embedded in every Factur-X: outlines copied exactly, hinting left out.
 * Oracles: fontkit (an independent TrueType reader) for the outlines and tables, poppler
 * for drawing a generated page.
 */
import fontkit from '@pdf-lib/fontkit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fontBytes } from '../../src/transform/facturx/fonts';
import { makeFacturX } from '../../src/transform/facturx/make';
import { TrueTypeSource } from '../../src/transform/facturx/ttf-subset';
import { parseFlux } from '../../src/transform/parse/flux';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { run } from './oracles';

/** What these checks read of a fontkit font (its typings leave out the table directory). */
interface FontView {
  layout(text: string): { glyphs: { id: number }[] };
  getGlyph(id: number): { path: { commands: unknown[]; toSVG(): string }; advanceWidth: number };
  directory: { tables: Record<string, { offset: number; length: number }> };
  numGlyphs: number;
}

const open = (b: Uint8Array) => fontkit.create(Buffer.from(b)) as unknown as FontView;

const TEXT = 'Facture n° 2026-0101 : Électricité, élève, çà, Œuvre — 1 234,56 € « TTC » ÀÉÈÊËÎÏÔÙÛÜŸ';

describe.each(['regular', 'bold'] as const)('a subset of DejaVu Sans %s', (key) => {
  const bytes = fontBytes(key);
  const full = open(bytes);
  const glyphs = full.layout(TEXT).glyphs;
  const source = new TrueTypeSource(bytes);
  const subset = source.createSubset();
  const ids = glyphs.map((g) => subset.includeGlyph(g.id));
  const program = Buffer.from(subset.encode());
  const font = open(program);

  it('draws every glyph with the same outline and advance as the full font', () => {
    expect(glyphs.some((g) => full.getGlyph(g.id).path.commands.length > 0)).toBe(true);
    glyphs.forEach((g, k) => {
      const ours = font.getGlyph(ids[k]);
      const theirs = full.getGlyph(g.id);
      expect(ours.path.toSVG()).toBe(theirs.path.toSVG());
      expect(ours.advanceWidth).toBe(theirs.advanceWidth);
    });
  });

  it('carries no hinting: no cvt, fpgm or prep table, no glyph instructions', () => {
    const tags = Object.keys(font.directory.tables);
    expect(tags.sort()).toEqual(['glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp']);
    const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
    const table = (tag: string) => font.directory.tables[tag];
    const glyf = table('glyf').offset;
    const loca = table('loca').offset;
    let simple = 0;
    let composite = 0;
    for (let g = 0; g < font.numGlyphs; g++) {
      const start = view.getUint32(loca + g * 4);
      if (view.getUint32(loca + g * 4 + 4) === start) continue;
      const contours = view.getInt16(glyf + start);
      if (contours < 0) {
        composite++; // accented letters: their outlines were compared above
        continue;
      }
      simple++;
      expect(view.getUint16(glyf + start + 10 + 2 * contours)).toBe(0);
    }
    expect(simple).toBeGreaterThan(20);
    expect(composite).toBeGreaterThan(0);
  });
});

it('gives a page poppler draws, text included', async () => {
  const parsed = await parseFlux(readFileSync(PAPETERIE));
  if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
  const fx = await makeFacturX(parsed.invoices[0]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-font-'));
  const pdf = path.join(dir, 'f.pdf');
  writeFileSync(pdf, fx.pdf);
  expect(run('pdftoppm', ['-r', '40', '-gray', '-f', '1', '-l', '1', pdf, path.join(dir, 'p')]).status).toBe(0);
  const pgm = readFileSync(path.join(dir, 'p-1.pgm'));
  // P5 header: magic, width, height, maxval, then one byte per pixel
  const header = pgm.toString('latin1', 0, 40).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  expect(header).not.toBeNull();
  const pixels = pgm.subarray((header as RegExpMatchArray)[0].length);
  let dark = 0;
  for (const p of pixels) if (p < 128) dark++;
  // the headings, the table and the text: a few percent of the page, not a blank one
  expect(dark / pixels.length).toBeGreaterThan(0.01);
  expect(run('pdftotext', [pdf, '-']).stdout).toContain('Papeterie Lemoine');
});
