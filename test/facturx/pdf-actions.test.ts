/**
 * An inbound Factur-X whose PDF holds active content PDF/A-3 forbids (ISO 19005-2 §6.6: a
 * JavaScript or Launch OpenAction, /AA additional actions, a /Names /JavaScript tree, Launch or
 * ImportData actions in annotations and form fields) went through without a word. Now warning
 * FACTURX-ACTIONS names what was found; the file is still accepted and its PDF forwarded as
 * sent, byte for byte (TypePJ 01). The official Factur-X PDFs of the corpus get no such warning.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString, type PDFObject } from 'pdf-lib';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { corpusFiles } from '../helpers/corpus';
import { appendUpdate } from '../helpers/pdf-mutations';
import { facturxInboxConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { xpath } from '../helpers/xpath';
import { facturxFindings } from '../helpers/facturx-findings';

type Doc = PDFDocument;
const dict = (doc: Doc, entries: Record<string, PDFObject>) => doc.context.obj(entries) as PDFDict;
const ref = (doc: Doc, o: PDFObject) => doc.context.register(o);
const js = (doc: Doc) => dict(doc, { S: PDFName.of('JavaScript'), JS: PDFString.of('app.alert(1)') });
const launch = (doc: Doc) => dict(doc, { S: PDFName.of('Launch'), F: PDFString.of('cmd.exe') });
const action = (doc: Doc, s: string) => dict(doc, { S: PDFName.of(s) });
/** A link annotation on the first page with `entries`. */
function annotate(doc: Doc, entries: Record<string, PDFObject>): void {
  const annot = ref(doc, dict(doc, { Type: PDFName.of('Annot'), Subtype: PDFName.of('Link'), Rect: doc.context.obj([0, 0, 10, 10]), ...entries }));
  doc.getPage(0).node.set(PDFName.of('Annots'), doc.context.obj([annot]));
}
/** An AcroForm whose one field has `entries`. */
function field(doc: Doc, entries: Record<string, PDFObject>): void {
  const f = ref(doc, dict(doc, { FT: PDFName.of('Tx'), T: PDFString.of('montant'), ...entries }));
  doc.catalog.set(PDFName.of('AcroForm'), dict(doc, { Fields: doc.context.obj([f]) }));
}

/** Each kind of forbidden action, put into a clean Factur-X, and the words the warning must say. */
const HOSTILE: [string, (doc: Doc) => void, string][] = [
  ['js-openaction', (d) => d.catalog.set(PDFName.of('OpenAction'), ref(d, js(d))), "JavaScript in the document's OpenAction"],
  ['launch-openaction', (d) => d.catalog.set(PDFName.of('OpenAction'), launch(d)), "a Launch action in the document's OpenAction"],
  ['next-chain', (d) => d.catalog.set(PDFName.of('OpenAction'), dict(d, { S: PDFName.of('GoTo'), D: PDFArray.withContext(d.context), Next: d.context.obj([action(d, 'ResetForm')]) })), "a ResetForm action in the document's OpenAction"],
  ['catalog-aa', (d) => d.catalog.set(PDFName.of('AA'), dict(d, { WC: js(d) })), 'additional actions (/AA: JavaScript) in the document catalog'],
  ['names-js', (d) => d.catalog.set(PDFName.of('Names'), dict(d, { JavaScript: dict(d, { Names: d.context.obj([PDFString.of('x'), ref(d, js(d))]) }) })), "JavaScript in the document's name tree"],
  ['page-aa', (d) => d.getPage(0).node.set(PDFName.of('AA'), dict(d, { O: launch(d) })), 'additional actions (/AA: Launch) in page 1'],
  ['annot-a', (d) => annotate(d, { A: launch(d) }), 'a Launch action in an annotation on page 1'],
  ['annot-aa', (d) => annotate(d, { AA: dict(d, { E: action(d, 'Sound') }) }), 'additional actions (/AA: Sound) in an annotation on page 1'],
  ['field-a', (d) => field(d, { A: action(d, 'ImportData') }), 'an ImportData action in a form field'],
  ['field-aa', (d) => field(d, { AA: dict(d, { K: js(d) }) }), 'additional actions (/AA: JavaScript) in a form field'],
  ['movie', (d) => annotate(d, { A: action(d, 'Movie') }), 'a Movie action in an annotation on page 1'],
  ['named-print', (d) => annotate(d, { A: dict(d, { S: PDFName.of('Named'), N: PDFName.of('Print') }) }), 'a named Print action in an annotation on page 1'],
];

/** Actions PDF/A-3 allows: a destination, a GoTo, a link to a web page, a named NextPage. */
const BENIGN: [string, (doc: Doc) => void][] = [
  ['destination', (d) => d.catalog.set(PDFName.of('OpenAction'), d.context.obj([d.getPage(0).ref, PDFName.of('Fit')]))],
  ['uri-link', (d) => annotate(d, { A: dict(d, { S: PDFName.of('URI'), URI: PDFString.of('https://example.org') }) })],
  ['named-next', (d) => annotate(d, { A: dict(d, { S: PDFName.of('Named'), N: PDFName.of('NextPage') }) })],
];

async function variant(base: Buffer, change: (doc: Doc) => void): Promise<Buffer> {
  const doc = await PDFDocument.load(base, { updateMetadata: false });
  change(doc);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A clean Factur-X of ours for a buyer the routing table knows, under invoice number `number` (each file of a run its own). */
async function clean(number?: string): Promise<Buffer> {
  const fixture = await parseFlux(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
  if (fixture.kind === 'CPPStatut') throw new Error('not an invoice');
  if (number !== undefined) fixture.invoices[0].number = number;
  return Buffer.from((await makeFacturX(fixture.invoices[0])).pdf);
}

let base: Buffer;
beforeAll(async () => {
  base = await clean();
});

describe('FACTURX-ACTIONS on PDFs built with each kind of forbidden action', () => {
  it('says nothing of our own Factur-X nor of the actions PDF/A-3 allows', async () => {
    expect(await facturxFindings(base)).toEqual([]);
    for (const [, change] of BENIGN) expect(await facturxFindings(await variant(base, change))).toEqual([]);
  });

  test.each(HOSTILE.map(([name, change, words]) => [name, change, words] as const))('%s: a warning naming what was found', async (_name, change, words) => {
    const found = await facturxFindings(await variant(base, change));
    expect(found).toEqual([
      `FACTURX-ACTIONS warning: The PDF holds active content PDF/A-3 forbids (${words}): it is no valid Factur-X PDF. The invoice is read from its embedded XML and the PDF kept as sent, unchanged.`,
    ]);
  });

  it('keeps the reason within 300 characters however much is found, counting the rest', async () => {
    const all = await variant(base, (d) => {
      for (const [name, change] of HOSTILE) if (!/^(annot|field|movie|named)/.test(name)) change(d);
      annotate(d, { A: launch(d), AA: dict(d, { E: js(d) }) });
      field(d, { A: action(d, 'ImportData'), AA: dict(d, { K: js(d) }) });
    });
    const [message] = await facturxFindings(all);
    expect(message).toMatch(/^FACTURX-ACTIONS warning: The PDF holds active content PDF\/A-3 forbids \(a ResetForm action in the document's OpenAction; [^;]+; and 6 more\): it is no valid Factur-X PDF\./);
    expect(message.length - 'FACTURX-ACTIONS warning: '.length).toBeLessThanOrEqual(300);
  });
});

describe('hostile structures', () => {
  it('walks an action chain, a page tree and a field tree that loop, and tells what they hold once', async () => {
    const n = 9000; // object numbers past those of our Factur-X
    const latin1 = (t: string) => Buffer.from(t, 'latin1');
    const hostile = appendUpdate(base, `/OpenAction ${n} 0 R /Pages ${n + 1} 0 R /AcroForm << /Fields [${n + 3} 0 R ${n + 3} 0 R] >>`, [
      [n, latin1(`<< /S /JavaScript /JS (x) /Next [${n} 0 R ${n} 0 R] >>`)],
      [n + 1, latin1(`<< /Type /Pages /Kids [${n + 1} 0 R ${n + 2} 0 R ${n + 1} 0 R 4 0 R] /Count 2 >>`)],
      [n + 2, latin1(`<< /Type /Page /Parent ${n + 1} 0 R /MediaBox [0 0 10 10] /AA << /O << /S /Launch /F (a) /Next ${n + 2} 0 R >> >> /Annots [${n + 2} 0 R 77777 0 R (x)] >>`)],
      [n + 3, latin1(`<< /FT /Tx /A << /S /ImportData /F (b) >> /Kids [${n + 3} 0 R ${n + 3} 0 R] >>`)],
    ]);
    const flux = await parseFlux(hostile);
    if (!('invoices' in flux)) throw new Error('not an invoice');
    expect(flux.invoices[0].facturxPdf?.actions).toEqual([
      "JavaScript in the document's OpenAction",
      'additional actions (/AA: Launch) in page 1',
      'an ImportData action in a form field',
    ]);
  });
});

describe('the official Factur-X PDFs of the corpus', () => {
  const PDFS = corpusFiles('facturx-pdfs', /\.pdf$/);

  test.each(PDFS.map((f) => [path.basename(f), f]))('%s: holds no forbidden action, no FACTURX-ACTIONS', async (_name, file) => {
    const flux = await parseFlux(readFileSync(file));
    if (!('invoices' in flux)) throw new Error('not an invoice');
    expect(flux.invoices[0].facturxPdf?.actions).toEqual([]);
    expect(validateInvoice({ invoice: flux.invoices[0] }, 'en16931').filter((f) => f.rule === 'FACTURX-ACTIONS')).toEqual([]);
  });

  it('are all 8 of them', () => expect(PDFS).toHaveLength(8));
});

describe('through the embedded runner', () => {
  const out = tempDir('cf-fx-actions-');
  const inbox = path.join(out, 'inbox', 'op-fx');
  const sent = new Map<string, Buffer>();
  let summary: Awaited<ReturnType<typeof runOnce>>;

  beforeAll(async () => {
    mkdirSync(inbox, { recursive: true });
    for (const [k, [name, change]] of HOSTILE.entries()) {
      const bytes = await variant(await clean(`F-2026-ACT-${k}`), change);
      sent.set(`${name}.pdf`, bytes);
      writeFileSync(path.join(inbox, `${name}.pdf`), bytes);
    }
    summary = await runOnce(path.join(out, 'inbox'), facturxInboxConfig(out));
  }, 120_000);

  it('accepts each with the warning, and forwards its PDF byte for byte as TypePJ 01', () => {
    expect(summary.failures).toEqual([]);
    expect(summary.results).toHaveLength(sent.size);
    for (const r of summary.results) {
      const name = path.basename(r.file);
      expect([name, r.outcome]).toEqual([name, 'accepted']);
      expect(r.findings.filter((f) => f.rule === 'FACTURX-ACTIONS').map((f) => f.severity)).toEqual(['warning']);
      const pivot = r.outputs.find((o) => o.kind === 'pivot');
      expect(pivot).toBeDefined();
      const file = path.join(out, pivot?.path as string);
      expect(xpath(file, "string((//*[local-name()='PJ'])[1]/*[local-name()='TypePJ'])")).toBe('01');
      const forwarded = Buffer.from(xpath(file, "string((//*[local-name()='PJ'])[1]/*[local-name()='Contenu'])"), 'base64');
      expect(forwarded.equals(sent.get(name) as Buffer)).toBe(true);
    }
  });
});
