/**
 * The Info dictionary's strings are written by hex-text.ts instead of pdf-lib's
 * PDFHexString.fromText: they must be its bytes, surrogate pairs and lone surrogates included,
 * the first time and from the kept texts.
 */
import { PDFHexString } from 'pdf-lib';
import { hexText, utf16Hex } from '../../src/transform/facturx/hex-text';

const texts = [
  '',
  'a',
  'Société Générale : Facture F-2026-001',
  'Facture F-1 du 2026-01-02 émise par « L’Atelier » — 1 234,56 €',
  `Ancien italique ${String.fromCodePoint(0x10300, 0x1f600)}`,
  '\ud800',
  'a\udc00b',
  '\u00ff\u0100\uffff\u0000',
  'x'.repeat(3000),
];

describe('hexText', () => {
  it.each(texts.map((t) => [t.slice(0, 30), t]))('%j is written as PDFHexString.fromText writes it', (_label, text) => {
    const want = PDFHexString.fromText(text).toString();
    expect(utf16Hex(text)).toBe(PDFHexString.fromText(text).asString());
    expect(hexText(text).toString()).toBe(want);
    // the second time from the kept text
    expect(hexText(text).toString()).toBe(want);
  });

  it('keeps giving the right text once its store has been cleared', () => {
    for (let k = 0; k < 200; k++) expect(hexText(`Facture ${k} é`).toString()).toBe(PDFHexString.fromText(`Facture ${k} é`).toString());
  });
});
