/**
 * Big base64 contents are lifted out of the bytes before the XML is decoded and parsed
 * (src/xml/document.ts). Whatever the encoding, the wrapping or the attribute values around
 * them, the invoice read must be the one a plain reading gives, and errors must keep their
 * line numbers.
 */
import { FluxError } from '../../src/model/flux-error';
import { parseFlux } from '../../src/transform/parse/flux';
import { liftBlobs } from '../../src/xml/document';
import { pseudoRandomBytes } from '../helpers/pseudo-random';
import { withAttachments } from '../helpers/ubl-attachments';

const bytesOf = pseudoRandomBytes;

const DEVIS = bytesOf(300_000, 1);
const PV = bytesOf(9_000, 2);
const wrapped = (b: Buffer, eol: string) => b.toString('base64').replace(/.{76}/g, (l) => `${l}${eol}`);

const UBL = withAttachments([
  // ">" is allowed unescaped in an attribute value: the start tag must not end there
  { id: 'DEV-1', name: 'devis > 2026 "final".pdf', mime: 'application/pdf', data: DEVIS.toString('base64') },
  { id: 'PV-2', name: 'procès-verbal.pdf', mime: 'application/pdf', data: wrapped(PV, '\r\n') },
]);

async function invoiceOf(input: Buffer) {
  const r = await parseFlux(input);
  if (r.kind === 'CPPStatut') throw new Error('status');
  return r.invoices[0];
}

async function refusal(input: Buffer): Promise<FluxError> {
  try {
    await parseFlux(input);
  } catch (e) {
    if (e instanceof FluxError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('lifting big base64 contents', () => {
  it('lifts both attachments and reads them back intact, the file names too', async () => {
    const lifted = liftBlobs(Buffer.from(UBL, 'utf8'));
    expect(lifted.blobs).toHaveLength(2);
    expect(lifted.text.length).toBeLessThan(UBL.length - 400_000);
    // the contents stay views of the file's bytes, trimmed: no copy, no string
    expect(lifted.blobs.map((b) => b.length)).toEqual([DEVIS.toString('base64').length, wrapped(PV, '\r\n').trim().length]);
    const inv = await invoiceOf(Buffer.from(UBL, 'utf8'));
    const [devis, pv] = inv.attachments.filter((a) => a.content);
    expect(devis.fileName).toBe('devis > 2026 "final".pdf');
    expect(Buffer.compare(Buffer.from(devis.content as Uint8Array), DEVIS)).toBe(0);
    expect(pv.fileName).toBe('procès-verbal.pdf');
    expect(Buffer.compare(Buffer.from(pv.content as Uint8Array), PV)).toBe(0);
  });

  it.each([
    ['ISO-8859-1', () => Buffer.from(UBL.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(/—/g, '-').replace(/€/g, 'EUR'), 'latin1')],
    ['UTF-16LE with its byte-order mark', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(UBL.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')])],
    ['UTF-8 with its byte-order mark', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(UBL, 'utf8')])],
  ])('gives the same attachments from a flux in %s', async (_label, make) => {
    const inv = await invoiceOf(make());
    const contents = inv.attachments.filter((a) => a.content).map((a) => Buffer.from(a.content as Uint8Array));
    expect(contents).toHaveLength(2);
    expect(Buffer.compare(contents[0], DEVIS)).toBe(0);
    expect(Buffer.compare(contents[1], PV)).toBe(0);
  });

  it('finds every content when the element names occur inside base64 (each name is searched only between the contents already lifted)', () => {
    // base64 text that spells the three names, as a content may: never a tag there
    const spelled = 'EmbeddedDocumentBinaryObjectAAttachmentBinaryObjectAContenuA'.repeat(40);
    const blob = (k: number) => `${spelled}${bytesOf(3_000, 10 + k).toString('base64')}`;
    const xml = `<?xml version="1.0"?><r><cbc:EmbeddedDocumentBinaryObject mimeCode="a">${blob(1)}</cbc:EmbeddedDocumentBinaryObject><Contenu>${blob(2)}</Contenu><AttachmentBinaryObject>${blob(3)}</AttachmentBinaryObject><Contenu>${blob(4)}</Contenu></r>`;
    const lifted = liftBlobs(Buffer.from(xml, 'latin1'));
    expect(lifted.blobs.map((b) => b.toString('latin1'))).toEqual([blob(1), blob(2), blob(3), blob(4)]);
    expect(lifted.text.split(lifted.token).length).toBe(5);
  });

  it('leaves a content with a non-ASCII byte to the strict base64 check, which refuses it with its reason', async () => {
    const damaged = UBL.replace(DEVIS.toString('base64').slice(0, 10), `${DEVIS.toString('base64').slice(0, 5)}é${DEVIS.toString('base64').slice(6, 10)}`);
    const inv = await invoiceOf(Buffer.from(damaged, 'utf8'));
    const devis = inv.attachments.find((a) => a.id === 'DEV-1');
    expect(devis?.content).toBeUndefined();
    expect(devis?.contentError).toMatch(/not valid base64 \(character "é"/);
  });

  it('refuses a content damaged far inside it, with the reason the text decoder gives', async () => {
    const b64 = DEVIS.toString('base64');
    const damaged = UBL.replace(b64, `${b64.slice(0, 250_001)}=${b64.slice(250_002)}`);
    const devis = (await invoiceOf(Buffer.from(damaged, 'utf8'))).attachments.find((a) => a.id === 'DEV-1');
    expect(devis?.content).toBeUndefined();
    expect(devis?.contentError).toMatch(/not valid base64 \(padding in the middle\)/);
  });

  it('refuses bytes that are not UTF-8 inside a content (FLUX-ENCODING), as without lifting', async () => {
    const b = Buffer.from(UBL, 'utf8');
    const at = b.indexOf(DEVIS.toString('base64').slice(0, 40)) + 100;
    b[at] = 0xff;
    expect((await refusal(b)).rule).toBe('FLUX-ENCODING');
  });

  it('gives the line of an error that follows a wrapped attachment in the whole file', async () => {
    const k = UBL.lastIndexOf('</cbc:Note>');
    expect(k).toBeGreaterThan(UBL.indexOf(wrapped(PV, '\r\n')));
    const broken = `${UBL.slice(0, k)}</cbc:Nota>${UBL.slice(k + '</cbc:Note>'.length)}`;
    const line = broken.slice(0, k).split('\n').length;
    const e = await refusal(Buffer.from(broken, 'utf8'));
    expect(e.rule).toBe('FLUX-MALFORMED');
    expect(e.line).toBe(line);
    expect(e.message).toContain(`line ${line}`);
  });
});
