/**
 * The CII is written straight from its walked elements (cii-generate.ts `renderCii`), no longer
 * through xmlbuilder2's DOM and pretty printer. The factur-x.xml must stay byte for byte what
 * xmlbuilder2 wrote: held equal to that serializer (kept here as the reference, as the
 * generator called it) over every official example at every profile, and over trees made to
 * hit its corners: escaping in texts and attributes, "&amp;" already in a value, empty texts and
 * empty elements, line breaks, attachments written inline and held apart, an empty document.
 */
import { readFileSync } from 'node:fs';
import { create } from 'xmlbuilder2';
import type { Base64Part } from '../../src/emit/atomic-write';
import { CII_NS } from '../../src/transform/facturx/cii-mapping';
import { renderCii, walkCii } from '../../src/transform/facturx/cii-generate';
import { completeForFacturX } from '../../src/transform/facturx/complete';
import { PROFILES } from '../../src/transform/facturx/profiles';
import type { WalkedElement } from '../../src/transform/facturx/walked-tree';
import { parseFlux } from '../../src/transform/parse/flux';
import { DomBuild, type DomElement } from '../../src/xml/dom-build';
import { joinParts, RawTexts } from '../../src/xml/raw-texts';
import { corpusFiles } from '../helpers/corpus';

const ROOT_OPEN = `<rsm:CrossIndustryInvoice xmlns:rsm="${CII_NS.rsm}" xmlns:qdt="${CII_NS.qdt}" xmlns:ram="${CII_NS.ram}" xmlns:udt="${CII_NS.udt}">`;

/** The generator's serializer until the twenty-eighth round of PERFORMANCE.md, as it was. */
function xmlbuilder2Parts(body: WalkedElement[]): (string | Base64Part)[] {
  const write = (dom: DomBuild, parent: DomElement, els: WalkedElement[], raws: RawTexts): void => {
    for (const e of els) {
      const node = dom.el(parent, e.n, e.a);
      if (e.t !== undefined) dom.text(node, typeof e.t === 'string' ? e.t : raws.holdBase64(e.t));
      else if (e.c) write(dom, node, e.c, raws);
    }
  };
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('rsm:CrossIndustryInvoice');
  const raws = new RawTexts();
  const { dom, node } = DomBuild.under(doc);
  write(dom, node, body, raws);
  return [...raws.restoreParts(doc.end({ prettyPrint: true, indent: '  ' }).replace('<rsm:CrossIndustryInvoice>', ROOT_OPEN)), '\n'];
}

/** The two serializations: the same text, and the same attachments held apart (not copied into a string). */
function expectSameXml(body: WalkedElement[]): void {
  const mine = renderCii(body);
  const theirs = xmlbuilder2Parts(body);
  expect(joinParts(mine)).toBe(joinParts(theirs));
  const held = (parts: readonly (string | Base64Part)[]) => parts.filter((p) => typeof p !== 'string');
  expect(held(mine)).toEqual(held(theirs));
}

const SOURCES = [...corpusFiles('en16931/ubl-examples'), ...corpusFiles('en16931/cii-examples')];

describe('the CII written from its walk', () => {
  it.each(SOURCES.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s: the bytes xmlbuilder2 wrote, at every profile', async (_name, file) => {
    const flux = await parseFlux(readFileSync(file));
    if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
    expect(flux.invoices.length).toBeGreaterThan(0);
    for (const inv of flux.invoices) {
      for (const profile of PROFILES) expectSameXml(walkCii(completeForFacturX(inv), profile).body);
    }
  });

  it('escapes, empty values, line breaks and attachments as xmlbuilder2 did', () => {
    const big = Buffer.alloc(20_000, 7);
    const edge = Buffer.alloc(3072, 1); // the first size held apart
    const body: WalkedElement[] = [
      { n: 'ram:A', t: `A & B <c> "d" 'e' &amp; &#1; ]]> é 😀` },
      { n: 'ram:B', a: { schemeID: `x"&<>'y`, other: '&amp;' }, t: 'v' },
      { n: 'ram:Empty', t: '' },
      { n: 'ram:EmptyAttr', a: { k: 'v' }, t: '' },
      { n: 'ram:Always' },
      { n: 'ram:AlwaysAttr', a: { k: 'v' } },
      { n: 'ram:Lines', t: 'un\r\ndeux\n\ttrois  ' },
      {
        n: 'ram:Group',
        a: { g: '1' },
        c: [
          { n: 'ram:Deep', c: [{ n: 'ram:Deeper', c: [{ n: 'ram:Leaf', t: 'x' }] }] },
          { n: 'ram:Small', a: { mimeCode: 'application/pdf' }, t: Buffer.from('%PDF-1.4 small') },
          { n: 'ram:NoBytes', t: new Uint8Array(0) },
          { n: 'ram:Below', t: edge.subarray(1) },
          { n: 'ram:Edge', t: edge },
          { n: 'ram:Big', a: { filename: 'a&b.pdf' }, t: big },
        ],
      },
      { n: 'ram:After', t: 'fin' },
    ];
    expectSameXml(body);
    // seventeen levels: past the indentations written once
    let deep: WalkedElement = { n: 'ram:L', t: 'x' };
    for (let k = 0; k < 17; k++) deep = { n: 'ram:L', c: [deep] };
    expectSameXml([deep]);
  });

  it('an empty document as xmlbuilder2 wrote it (no namespaces: its root is self-closed)', () => {
    expectSameXml([]);
    expect(joinParts(renderCii([]))).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice/>\n');
  });
});
