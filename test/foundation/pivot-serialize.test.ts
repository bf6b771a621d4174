/**
 * The pivot is written directly (serialize.ts `serializePivotParts`), no longer through
 * xmlbuilder2's DOM and pretty printer. Partners and the finance SI receive the same bytes as
 * before: the new writer is held equal, part for part, to that serializer (kept here as the
 * reference, as serialize.ts called it) over every invoice the project's fixtures and the
 * official samples give, one flow per source and all of them in one multi-invoice flow, and
 * over invoices made to hit its corners: escaping in texts and attributes, "&amp;" already in
 * a value, empty texts, line breaks, characters outside the BMP, attachments inline and held
 * apart around the limit, empty groups, no invoice at all.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { Base64Part } from '../../src/emit/atomic-write';
import { PIVOT_INVOICE, type PNode } from '../../src/emit/pivot/mapping';
import { PIVOT_VERSION, serializePivot, serializePivotParts, type EnvelopeParty, type PivotFlow } from '../../src/emit/pivot/serialize';
import type { Invoice } from '../../src/model/invoice';
import { parseFlux } from '../../src/transform/parse/flux';
import { DomBuild, type DomElement } from '../../src/xml/dom-build';
import { joinParts, RawTexts } from '../../src/xml/raw-texts';
import { forXmlbuilder } from '../../src/xml/xml-text';
import { corpusFiles, SCHEMAS } from '../helpers/corpus';
import { validateStrings } from '../helpers/xsd';

// ---- the writer before the pivot was written directly (serialize.ts), as it was ----------

function oldWrite<T>(dom: DomBuild, parent: DomElement, nodes: PNode<T>[], x: T, raws: RawTexts): void {
  for (const n of nodes) {
    switch (n.kind) {
      case 'leaf': {
        const bytes = n.bytes?.(x);
        if (bytes !== undefined) {
          dom.leaf(parent, n.el, raws.holdBase64(bytes));
          break;
        }
        const v = n.get(x);
        if (v !== undefined) dom.leaf(parent, n.el, n.raw ? raws.hold(v) : v);
        else if (n.required) dom.el(parent, n.el);
        break;
      }
      case 'group': {
        if (n.when && !n.when(x)) break;
        oldWrite(dom, dom.el(parent, n.el, n.attrs?.(x)), n.children, x, raws);
        break;
      }
      case 'repeat': {
        const items = n.items(x);
        items.forEach((item, k) => {
          const el = dom.el(parent, n.el, n.attrs?.(item as never, k, items as never[]));
          oldWrite(dom, el, n.children, item as never, raws);
        });
        break;
      }
    }
  }
}

function oldParty(parent: XMLBuilder, el: string, p: EnvelopeParty): void {
  const e = parent.ele(el);
  e.ele('Id').txt(forXmlbuilder(p.id));
  if (p.label !== undefined) e.ele('Libelle').txt(forXmlbuilder(p.label));
}

function xmlbuilder2Parts(flow: PivotFlow): (string | Base64Part)[] {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('CPPFacturePivot', { Version: PIVOT_VERSION });
  const unit = root.ele('Enveloppe').ele('EnveloppeUnitaire', { NumOrdre: '1' });
  const params = unit.ele('Parametres');
  const all = [{ code: 'DtPrd', value: flow.dtPrd }, { code: 'IdFlx', value: flow.idFlx }, ...(flow.parameters ?? [])];
  all.forEach((p, k) => {
    const e = params.ele('ParametreIndiv', { NumOrdre: String(k + 1).padStart(4, '0') });
    e.ele('Code').txt(forXmlbuilder(p.code));
    e.ele('Valeurparametre').txt(forXmlbuilder(p.value));
  });
  const partners = unit.ele('Partenaires');
  oldParty(partners, 'Recepteur', flow.recepteur);
  oldParty(partners, 'Emetteur', flow.emetteur);
  const factures = root.ele('CPPFactures', { Compteur: String(flow.invoices.length) });
  const raws = new RawTexts();
  const { dom, node } = DomBuild.under(factures);
  flow.invoices.forEach((inv, k) => {
    oldWrite(dom, dom.el(node, 'CPPFacturePivotUnitaire', { NumOrdre: String(k + 1) }), PIVOT_INVOICE, inv, raws);
  });
  return raws.restoreParts(`${root.end({ prettyPrint: true, indent: '  ' })}\n`);
}

// ---------------------------------------------------------------------------------------------

/** The same pieces: the same text, and the attachments held apart at the same places (not copied into a string). */
function expectSamePivot(flow: PivotFlow): string {
  const mine = serializePivotParts(flow);
  const theirs = xmlbuilder2Parts(flow);
  expect(joinParts(mine)).toBe(joinParts(theirs));
  expect(mine).toEqual(theirs);
  return joinParts(mine);
}

const ENVELOPE = { dtPrd: '2026-11-27', idFlx: 'CFX0000000001', recepteur: { id: 'REC001' }, emetteur: { id: 'CFX001', label: 'Émetteur' } };

function xmlUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? xmlUnder(p) : /\.xml$/i.test(f) ? [p] : [];
  });
}

const SOURCES = [
  ...xmlUnder(path.resolve(__dirname, '../../fixtures/inbox')),
  ...corpusFiles('chorus-samples/pivot'),
  ...corpusFiles('chorus-samples/mixte'),
  ...corpusFiles('en16931/ubl-examples'),
  ...corpusFiles('en16931/cii-examples'),
  ...corpusFiles('en16931/unit-ubl'),
];

async function invoicesOf(file: string): Promise<Invoice[]> {
  try {
    const flux = await parseFlux(readFileSync(file));
    return flux.kind === 'CPPStatut' ? [] : flux.invoices;
  } catch {
    return []; // the fixtures meant to be refused (truncated, unknown root, entities)
  }
}

/** An invoice carrying every corner of the writer, from a real one. */
function cornered(base: Invoice): Invoice {
  const tricky = `A & B <c> "d" 'e' &amp; &#1; ]]> é 😀 \u{10FFFF}`;
  const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
  return {
    ...base,
    number: tricky,
    buyerReference: '  SERVICE\u00a0',
    seller: { ...base.seller, name: 'un\r\ndeux\n\ttrois  ' },
    buyer: { ...base.buyer, name: '' },
    contractReference: '',
    paymentMeans: [{ code: '30', text: '<virement> & "co"', accounts: [] }],
    chorus: { ...base.chorus, bankReferenceType: `x"&<>'y`, idCpro: '12345', renvoi: 'Complétée' },
    attachments: [
      { fileName: 'vide.pdf', content: new Uint8Array(0), mimeCode: 'application/pdf' },
      { fileName: 'small.pdf', content: Buffer.from('%PDF-1.4 small') },
      { fileName: 'below.bin', content: bytes(3071, 1) },
      { fileName: 'edge.bin', content: bytes(3072, 2) },
      { fileName: 'a&b<c>.pdf', content: bytes(20_000, 3).subarray(7), mimeCode: 'application/pdf' },
      { uri: 'https://example.org/x?a=1&b=2', pivot: { idUnique: 'U&1' } },
    ],
  } as unknown as Invoice;
}

describe('the pivot written without the DOM', () => {
  it.each(SOURCES.map((f) => [path.relative(path.resolve(__dirname, '../..'), f), f]))('%s: the bytes xmlbuilder2 wrote', async (_name, file) => {
    const invoices = await invoicesOf(file);
    if (invoices.length === 0) return expect(serializePivot({ ...ENVELOPE, invoices })).toContain('<CPPFactures Compteur="0"/>');
    expectSamePivot({ ...ENVELOPE, invoices });
  });

  it('every source in one multi-invoice flow, with envelope parameters: the same bytes', async () => {
    const invoices = (await Promise.all(SOURCES.map(invoicesOf))).flat();
    expect(invoices.length).toBeGreaterThan(40);
    expectSamePivot({ ...ENVELOPE, parameters: [{ code: 'CSMOE', value: 'AB&<1' }], invoices });
  });

  it('the official sample pivots in one flow: the same bytes, valid against the XSD (the other sources are not enriched, so not valid as they are)', async () => {
    const invoices = (await Promise.all(corpusFiles('chorus-samples/pivot').map(invoicesOf))).flat();
    const xml = expectSamePivot({ ...ENVELOPE, parameters: [{ code: 'CSMOE', value: 'AB&<1' }], invoices });
    const [res] = validateStrings(SCHEMAS.pivot, [xml]);
    expect(res.errors).toEqual([]);
    expect(res.valid).toBe(true);
  });

  it('escapes, empty values, line breaks, non-BMP characters and attachments around the inline limit as xmlbuilder2 did', async () => {
    const [base] = await invoicesOf(corpusFiles('chorus-samples/pivot')[0]);
    const inv = cornered(base);
    const flow: PivotFlow = { dtPrd: '', idFlx: 'id&<>"\'', parameters: [{ code: '', value: '\r\n\t' }], recepteur: { id: 'R&1', label: '' }, emetteur: { id: '😀' }, invoices: [inv, base, inv] };
    const xml = expectSamePivot(flow);
    // the corners are in the output, as meant
    expect(xml).toContain('<Id>A &amp; B &lt;c&gt; "d" \'e\' &amp;amp; &amp;#1; ]]&gt; é 😀 \u{10FFFF}</Id>');
    expect(xml).toContain('<ReferenceBancaire Type="x&quot;&amp;&lt;&gt;\'y"');
    expect(xml).toContain('<RaisonSociale>un\r\ndeux\n\ttrois  </RaisonSociale>');
    expect(xml).toContain('<Libelle/>');
    expect(xml).toContain('<Contenu/>');
    const held = serializePivotParts(flow).filter((p) => typeof p !== 'string') as Base64Part[];
    expect(held.map((p) => p.base64Of.byteLength)).toEqual([3072, 19_993, ...base.attachments.map((a) => a.content?.byteLength), 3072, 19_993]);
  });

  it('an empty group self-closed, with its attributes, as xmlbuilder2 did', async () => {
    const [base] = await invoicesOf(corpusFiles('chorus-samples/pivot')[0]);
    const inv = { ...base, paymentMeans: [], payee: undefined, chorus: { ...base.chorus, bankReferenceType: 'RIB', bankInstitution: undefined, payeeName: undefined } } as Invoice;
    expect(expectSamePivot({ ...ENVELOPE, invoices: [inv] })).toContain('<ReferenceBancaire Type="RIB"/>');
  });

  it('raw texts (no escaping needed) below and from the size spliced in as they are, as RawTexts did', async () => {
    const [base] = await invoicesOf(corpusFiles('chorus-samples/pivot')[0]);
    // no leaf of the mapping reaches a raw text without bytes today: leaves added for the test, walked by both writers
    const added: PNode<Invoice>[] = [
      { kind: 'leaf', el: 'RawShort', from: 'test', raw: true, get: () => 'Q'.repeat(4094) + '&' },
      { kind: 'leaf', el: 'RawLong', from: 'test', raw: true, get: () => 'Q'.repeat(4096) },
      { kind: 'leaf', el: 'RawEmpty', from: 'test', raw: true, get: () => '' },
      { kind: 'leaf', el: 'RawAbsent', from: 'test', raw: true, required: true, get: () => undefined },
    ];
    PIVOT_INVOICE.push(...added);
    try {
      const flow = { ...ENVELOPE, invoices: [base, base] };
      const xml = expectSamePivot(flow);
      expect(xml).toContain(`<RawShort>${'Q'.repeat(4094)}&amp;</RawShort>`);
      expect(serializePivotParts(flow).filter((p) => p === 'Q'.repeat(4096))).toHaveLength(2);
    } finally {
      PIVOT_INVOICE.splice(PIVOT_INVOICE.length - added.length);
    }
  });

  it('no invoice: CPPFactures self-closed', () => {
    expect(expectSamePivot({ ...ENVELOPE, invoices: [] })).toContain('  <CPPFactures Compteur="0"/>\n</CPPFacturePivot>\n');
  });
});
