/**
 * The streaming XML writer: the same bytes as xmlbuilder2's DOM serializer, and raw (base64)
 * texts put in as they are, large or small.
 */
import { randomBytes } from 'node:crypto';
import { create } from 'xmlbuilder2';
import { writeXmlDocument } from '../../src/xml/stream-writer';

describe('writeXmlDocument', () => {
  it('writes what the DOM serializer writes, escaping included', () => {
    const streamed = writeXmlDocument(({ w }) => {
      w.ele('R', { a: '1 & "2" <3>' }).ele('T').txt('Café & Thé < 5 € > "x"').up().ele('E').up().ele('G').ele('H').txt('é').up().up().up();
    });
    const dom = create({ version: '1.0', encoding: 'UTF-8' }).ele('R', { a: '1 & "2" <3>' });
    dom.ele('T').txt('Café & Thé < 5 € > "x"');
    dom.ele('E');
    dom.ele('G').ele('H').txt('é');
    expect(streamed).toBe(`${dom.end({ prettyPrint: true, indent: '  ' })}\n`);
  });

  it('puts large and small raw texts in unchanged, each in its own element', () => {
    const big = randomBytes(300_000).toString('base64');
    const small = randomBytes(30).toString('base64');
    const xml = writeXmlDocument((s) => {
      s.w.ele('R');
      for (const v of [big, small, big]) {
        s.w.ele('C');
        s.rawText(v);
        s.w.up();
      }
      s.w.up();
    });
    const contents = [...xml.matchAll(/<C>([^<]*)<\/C>/g)].map((m) => m[1]);
    expect(contents).toEqual([big, small, big]);
    expect(xml).not.toContain('\u2063');
  });
});
