/**
 * The text drawn in the visible invoice: what `drawable` makes of a value, and the glyph codes
 * the layout writes from its per-document cache, read back by poppler through the fonts'
 * ToUnicode maps (a wrong glyph id would come back as another character).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { drawable, textWidth } from '../../src/transform/facturx/fonts';
import { Layout, MAX_DRAWN_CHARS } from '../../src/transform/facturx/layout';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { run } from './oracles';

describe('drawable', () => {
  it.each([
    ['plain ASCII is kept as it is', 'FA-2026-0042 Ref. 12/B', 'FA-2026-0042 Ref. 12/B'],
    ['leading, trailing and repeated spaces collapse', '  Lot  n 3 ', 'Lot n 3'],
    ['tabs, line breaks and controls become one space', 'a\tb\r\nc\u0007d', 'a b c d'],
    ['accents and typographic marks are drawn', 'Étiquettes « spéciales » – œuvre', 'Étiquettes « spéciales » – œuvre'],
    ['a character the font lacks becomes "?"', 'clé 𝄞 fin', 'clé ? fin'],
    ['white space only gives nothing', ' \t ', ''],
  ])('%s', (_what, text, expected) => {
    expect(drawable('regular', text)).toBe(expected);
    expect(drawable('bold', text)).toBe(expected);
  });
});

it('writes glyph codes poppler reads back as the same text, first use and cached alike', async () => {
  const parsed = await parseFlux(readFileSync(PAPETERIE));
  if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
  const inv = parsed.invoices[0];
  // the same characters in both fonts, in several strings: later strings take their codes from the cache
  const names = ['Étiquettes « spéciales » – œuvre', 'Œillets spéciaux à 12 € (lot)', 'Spéciales œuvre Étiquettes'];
  const lines = names.map((name, k) => ({ ...inv.lines[0], id: `L${k + 1}`, item: { ...inv.lines[0].item, name } }));
  const fx = await makeFacturX({ ...inv, seller: { ...inv.seller, name: 'Société Générale d’Équipement' }, lines });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-text-'));
  const pdf = path.join(dir, 'f.pdf');
  writeFileSync(pdf, fx.pdf);
  const r = run('pdftotext', ['-raw', pdf, '-']);
  expect(r.status).toBe(0);
  const text = r.stdout.normalize('NFC');
  for (const s of [...names, 'Société Générale d’Équipement']) expect(text).toContain(s);
});

describe('wrap', () => {
  /** The cuts made by measuring every candidate line whole: the rule wrap must keep. */
  function wrapByMeasuring(t: string, width: number, font: 'regular' | 'bold', size: number): string[] {
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

  let layout: Layout;
  beforeAll(async () => {
    layout = new Layout(await PDFDocument.create(), {} as never); // wrap only measures
  });

  const texts = [
    'Fournitures scolaires — rentrée de novembre, lot n° 3 : cahiers, stylos, classeurs et étiquettes « spéciales »',
    'Conditions : paiement à 30 jours fin de mois par virement, pénalités de retard au taux légal majoré de 10 points',
    `Référence ${'A'.repeat(180)} fin`,
    'x '.repeat(400),
    `${'Œuvre'.repeat(60)} ${'w'.repeat(90)} i`,
  ];
  it.each(texts.flatMap((t) => [[t, 120, 'regular', 8.5], [t, 290, 'bold', 7.5], [t, 515, 'regular', 9]] as const))('cuts %#: as measuring each candidate line whole', (t, width, font, size) => {
    const lines = layout.wrap(t, width, font, size);
    expect(lines).toEqual(wrapByMeasuring(drawable(font, t), width, font, size));
    for (const l of lines) if (l.length > 1) expect(textWidth(font, l, size)).toBeLessThanOrEqual(width);
  });

  it('a word of 40,000 letters is cut into lines, and what passes MAX_DRAWN_CHARS is left to the XML', () => {
    const lines = layout.wrap(`Désignation ${'X'.repeat(40_000)}`, 200, 'bold', 8.5);
    expect(lines.join('').replace(/ /g, '')).toBe(`Désignation${'X'.repeat(MAX_DRAWN_CHARS - 'Désignation '.length)}[…]`);
    for (const l of lines) expect(textWidth('bold', l, 8.5)).toBeLessThanOrEqual(200);
  });

  it('past maxLines, the last line kept ends with […] and still fits', () => {
    const all = layout.wrap(texts[0].repeat(5), 120, 'regular', 8.5);
    const cut = layout.wrap(texts[0].repeat(5), 120, 'regular', 8.5, 3);
    expect(all.length).toBeGreaterThan(3);
    expect(cut.slice(0, 2)).toEqual(all.slice(0, 2));
    expect(cut[2]).toMatch(/ \[…\]$/);
    expect(all[2].startsWith(cut[2].slice(0, -4))).toBe(true);
    expect(textWidth('regular', cut[2], 8.5)).toBeLessThanOrEqual(120);
    expect(layout.wrap('court', 120, 'regular', 8.5, 3)).toEqual(['court']);
  });

  it('an invoice whose item name is one word of 40,000 letters makes its Factur-X, the name cut in the visible page only', async () => {
    const parsed = await parseFlux(readFileSync(PAPETERIE));
    if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
    const inv = parsed.invoices[0];
    const name = 'X'.repeat(40_000);
    const fx = await makeFacturX({ ...inv, lines: [{ ...inv.lines[0], item: { ...inv.lines[0].item, name } }] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-longword-'));
    const pdf = path.join(dir, 'f.pdf');
    writeFileSync(pdf, fx.pdf);
    const text = run('pdftotext', ['-raw', pdf, '-']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/X+ \[…\]/); // cut after the lines a table row may take, on the page
    expect(run('pdfinfo', [pdf]).stdout).toMatch(/^Pages: +1$/m);
    expect(fx.xml).toContain(name); // the XML keeps the whole name
  });
});
