/**
 * The text drawn in the visible invoice: what `drawable` makes of a value, and the glyph codes
 * the layout writes from its per-document cache, read back by poppler through the fonts'
 * ToUnicode maps (a wrong glyph id would come back as another character).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drawable } from '../../src/transform/facturx/fonts';
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
