/**
 * Base64 attachments kept out of xmlbuilder2's escaping: put back unchanged, large or small.
 */
import { randomBytes } from 'node:crypto';
import { create } from 'xmlbuilder2';
import { bytesOfParts, joinParts, RawTexts } from '../../src/xml/raw-texts';
import { pseudoRandomBytes } from '../helpers/pseudo-random';

describe('RawTexts', () => {
  it('puts large and small base64 texts back unchanged, each in its own element', () => {
    const big = randomBytes(300_000).toString('base64');
    const small = randomBytes(30).toString('base64');
    const raws = new RawTexts();
    const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('R');
    for (const v of [big, small, big]) root.ele('C').txt(raws.hold(v));
    const xml = joinParts(raws.restoreParts(root.end({ prettyPrint: true, indent: '  ' })));
    expect([...xml.matchAll(/<C>([^<]*)<\/C>/g)].map((m) => m[1])).toEqual([big, small, big]);
    expect(xml).not.toContain('\u2063');
  });
});

describe('RawTexts.restoreParts', () => {
  it('gives pieces whose concatenation is the restored document, held texts as pieces of their own', () => {
    const big = randomBytes(10_000).toString('base64');
    const raws = new RawTexts();
    const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('R');
    root.ele('A').txt('x & y');
    root.ele('C').txt(raws.hold(big));
    root.ele('B').txt('z');
    const xml = root.end({ prettyPrint: true, indent: '  ' });
    const parts = raws.restoreParts(xml);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toBe(big);
    expect(parts.join('')).toBe(joinParts(raws.restoreParts(xml)));
    expect(parts.join('')).toContain('<A>x &amp; y</A>');
  });
});

describe('RawTexts.holdBase64', () => {
  it('writes small bytes as base64 text and holds big ones as bytes for the writer', () => {
    const small = randomBytes(100);
    const big = randomBytes(50_000);
    const raws = new RawTexts();
    const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('R');
    root.ele('S').txt(raws.holdBase64(small));
    root.ele('B').txt(raws.holdBase64(big));
    const xml = root.end();
    expect(xml).toContain(`<S>${small.toString('base64')}</S>`);
    const parts = raws.restoreParts(xml);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toEqual({ base64Of: big });
    expect(joinParts(parts)).toContain(`<B>${big.toString('base64')}</B>`);
  });
});

describe('bytesOfParts', () => {
  it('gives the UTF-8 bytes of the joined text, bytes of any size as their base64', () => {
    // 1 to 3 bytes per character, and contents around the 48 KiB slice: the bytes must be those of the text
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>\n<R><A>Réf. « 2026 » — 12 €</A><B>',
      { base64Of: pseudoRandomBytes(200_002, 3) },
      '</B><C>',
      { base64Of: pseudoRandomBytes(49_152, 4) },
      '</C><D>',
      { base64Of: Buffer.alloc(0) },
      { base64Of: pseudoRandomBytes(1, 5).subarray(0, 1) },
      '</D><E>😀</E></R>\n',
    ];
    const bytes = bytesOfParts(parts);
    expect(Buffer.compare(bytes, Buffer.from(joinParts(parts), 'utf8'))).toBe(0);
  });

  it('reads a content that is a view into a larger buffer from its own offset', () => {
    const whole = pseudoRandomBytes(100_000, 9);
    const view = whole.subarray(1_001, 60_001);
    expect(bytesOfParts(['<B>', { base64Of: view }, '</B>']).toString('latin1')).toBe(`<B>${view.toString('base64')}</B>`);
  });
});
