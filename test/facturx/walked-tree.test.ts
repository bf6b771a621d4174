/**
 * The EN 16931 check of a Factur-X's CII reads the CII back from its walk (walked-tree.ts)
 * instead of parsing its bytes: that tree must be the one the bytes parse to, or the check
 * would judge another document than the one embedded. Held equal, and the invoices read from
 * both equal, over every official example at every profile and over texts that XML escapes
 * or trims, attachments small (written inline) and large (held apart).
 */
import { readFileSync } from 'node:fs';
import type { Invoice } from '../../src/model/invoice';
import { completeForFacturX } from '../../src/transform/facturx/complete';
import { generateCii } from '../../src/transform/facturx/cii-generate';
import { PROFILES } from '../../src/transform/facturx/profiles';
import { parseCii } from '../../src/transform/parse/cii';
import { parseFlux, readXml } from '../../src/transform/parse/flux';
import type { LiftedContents } from '../../src/xml/document';
import type { XNode } from '../../src/xml/nodes';
import { corpus, corpusFiles } from '../helpers/corpus';

/** A tree with every attachment's text replaced by its decoded bytes (markers differ between the two readings). */
function comparable(n: XNode | XNode[], contents: LiftedContents, name = ''): unknown {
  if (Array.isArray(n)) return n.map((x) => comparable(x, contents, name));
  if (name === 'AttachmentBinaryObject') {
    const decode = (t: string) => {
      const d = contents.decode(t);
      return d.ok ? `bytes:${d.bytes.toString('hex')}` : `error:${d.reason}`;
    };
    if (typeof n === 'string') return decode(n);
    const { '#text': t, ...rest } = n as Record<string, string>;
    return { ...rest, '#text': decode(t ?? '') };
  }
  if (typeof n === 'string') return n;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(n).sort()) out[k] = comparable(n[k], contents, k);
  return out;
}

/** The parsed root without its namespace declarations (the walk has none; nothing reads them). */
function parsedRoot(bytes: Buffer): { node: XNode; contents: LiftedContents } {
  const x = readXml(bytes);
  const node = { ...(x.node as Record<string, XNode>) };
  for (const k of Object.keys(node)) if (['@rsm', '@qdt', '@ram', '@udt', '@xmlns'].includes(k)) delete node[k];
  return { node, contents: x.contents };
}

async function invoicesOf(xml: Buffer): Promise<Invoice[]> {
  const flux = await parseFlux(xml);
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  return flux.invoices.map((i) => completeForFacturX(i));
}

function expectSameReading(inv: Invoice): void {
  for (const profile of PROFILES) {
    const walked = generateCii(inv, profile).tree();
    const parsed = parsedRoot(generateCii(inv, profile).bytes());
    expect({ profile, tree: comparable(walked.node, walked.contents) }).toEqual({ profile, tree: comparable(parsed.node, parsed.contents) });
    expect({ profile, invoice: parseCii(walked.node, walked.contents) }).toEqual({ profile, invoice: parseCii(parsed.node, parsed.contents) });
  }
}

const SOURCES = [...corpusFiles('en16931/ubl-examples'), ...corpusFiles('en16931/cii-examples')];

describe('a generated CII read back from its walk', () => {
  it.each(SOURCES.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s: the same tree and invoice as its bytes parsed, at every profile', async (_name, file) => {
    const invoices = await invoicesOf(readFileSync(file));
    expect(invoices.length).toBeGreaterThan(0);
    for (const inv of invoices) expectSameReading(inv);
  });

  it('texts XML escapes or trims, and attachments inline and held apart, read back the same', async () => {
    const big = Buffer.alloc(20_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 3)) & 0xff;
    const xml = readFileSync(corpus('en16931/ubl-examples', 'ubl-tc434-example1.xml'), 'utf8')
      .replace(/<cbc:Note>[^<]*<\/cbc:Note>/, '<cbc:Note>  A &amp; B &lt;c&gt; "d" \'e\'&#13;\n\tdeux lignes — éèà 😀  </cbc:Note>')
      .replace(
        '<cac:AccountingSupplierParty>',
        `<cac:AdditionalDocumentReference><cbc:ID>  PJ &amp; 1 </cbc:ID><cbc:DocumentDescription>petite</cbc:DocumentDescription><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename=" a&amp;b.pdf ">${Buffer.from('%PDF-1.4 small').toString('base64')}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference><cac:AdditionalDocumentReference><cbc:ID>PJ2</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="grande.pdf">${big.toString('base64')}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference><cac:AccountingSupplierParty>`,
      );
    expect(xml).toContain('grande.pdf');
    const [inv] = await invoicesOf(Buffer.from(xml, 'utf8'));
    expect(inv.notes.map((n) => n.text)).toContainEqual(expect.stringContaining('deux lignes'));
    expect(inv.attachments.map((a) => a.content?.length)).toEqual([14, 20_000]);
    expectSameReading(inv);
    const walked = generateCii(inv, 'EXTENDED').tree();
    const back = parseCii(walked.node, walked.contents);
    expect(back.attachments.map((a) => a.content && Buffer.compare(a.content, a.fileName === 'grande.pdf' ? big : Buffer.from('%PDF-1.4 small')))).toEqual([0, 0]);
  });

  it('is read before the XML is built: after, the walk is gone and it says so', async () => {
    const [inv] = await invoicesOf(readFileSync(corpus('en16931/ubl-examples', 'ubl-tc434-example1.xml')));
    const cii = generateCii(inv, 'EN 16931');
    cii.bytes();
    expect(() => cii.tree()).toThrow(/before the XML is built/);
  });
});
