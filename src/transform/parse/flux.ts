/**
 * Bytes of one inbound file → its flux kind and its invoices (or its status lines).
 * Kind is decided from the content: PDF magic, else root element + namespace.
 */
import { FluxError, isFluxError } from '../../model/flux-error';
import { FLUX_KINDS, NS, type InvoiceFlux } from '../../model/flux';
import { decodeAs, xmlEncodingOf } from '../../xml/decode';
import { liftBlobs, lineAt, parseLiftedXml, scanRoot, type LiftedContents, type RootInfo } from '../../xml/document';
import { foreignElement, NAMESPACES } from '../../xml/namespaces';
import { checkStructure } from '../validate/structure/structure';
import { STRUCTURE } from '../validate/structure/models';
import { kid, kids, type XNode } from '../../xml/nodes';
import type * as Extract from '../facturx/extract';
import { isInvoiceDocument } from '../enrich/invoice-document';
import { looksLikePdf } from '../enrich/mime-sniff';
import { parseCii } from './cii';
import { checkCounter, checkStatutCounters } from './counters';
import { parsePivot, type PivotEnvelope } from './pivot';
import { parseUbl } from './ubl';
import { asBuffer } from '../../util/bytes';
import type { Invoice } from '../../model/invoice';

export interface ParsedXml {
  root: RootInfo;
  /** the root element's node */
  node: XNode;
  /** the embedded files' base64, lifted out of the tree (their elements hold markers) */
  contents: LiftedContents;
  /** the document's text, embedded files lifted out */
  text: string;
  /** the root element's node with its values as written, when some had white space at an end (document.ts) */
  asWritten?: () => XNode;
}

/**
 * The reader of an inbound Factur-X, loaded at the first PDF: it brings pdf-lib, 0.2 s of CPU
 * to load in every processing thread, which a run of XML flows never needs.
 */
function extractEmbeddedInvoice(...args: Parameters<typeof Extract.extractEmbeddedInvoice>): ReturnType<typeof Extract.extractEmbeddedInvoice> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../facturx/extract') as typeof Extract).extractEmbeddedInvoice(...args);
}

export function isPdf(bytes: Uint8Array): boolean {
  return looksLikePdf(Buffer.from(bytes.subarray(0, 1024)).toString('latin1'));
}

/** Decode, find the root, parse — each step with its own refusal rule. */
export function readXml(bytes: Uint8Array): ParsedXml {
  if (bytes.length === 0) throw new FluxError('FLUX-EMPTY', 'The file is empty (0 bytes).');
  const { start, encoding } = xmlEncodingOf(bytes);
  const b = asBuffer(bytes);
  // UTF-8 (nearly every flux) is read as bytes; another encoding is decoded, then re-encoded
  const utf8 = encoding === 'utf-8' ? b.subarray(start) : Buffer.from(decodeAs(b.subarray(start), encoding), 'utf8');
  const lifted = liftBlobs(utf8);
  const text = lifted.text;
  if (text.trim().length === 0) throw new FluxError('FLUX-EMPTY', 'The file holds only white space.');
  const root = scanRoot(text);
  const { tree, contents, asWritten } = parseLiftedXml(lifted);
  const node = tree[root.localName];
  if (node === undefined) throw new FluxError('FLUX-MALFORMED', `The root element ${root.localName} could not be read.`);
  return asWritten ? { root, node, contents, text, asWritten: () => asWritten()[root.localName] } : { root, node, contents, text };
}

export type RootFamily = 'UBL' | 'CII' | 'PIVOT' | 'STATUT';

const KNOWN_ROOTS: { localName: string; namespace: string; family: RootFamily }[] = [
  { localName: 'Invoice', namespace: NS.UBL_INVOICE, family: 'UBL' },
  { localName: 'CreditNote', namespace: NS.UBL_CREDIT_NOTE, family: 'UBL' },
  { localName: 'CrossIndustryInvoice', namespace: NS.CII, family: 'CII' },
  { localName: 'CPPFacturePivot', namespace: '', family: 'PIVOT' },
  { localName: 'CPPStatut', namespace: '', family: 'STATUT' },
];

export function rootFamily(root: RootInfo): RootFamily {
  const hit = KNOWN_ROOTS.find((r) => r.localName === root.localName && r.namespace === root.namespace);
  if (hit) return hit.family;
  const sameName = KNOWN_ROOTS.find((r) => r.localName === root.localName);
  const seen = root.namespace ? `{${root.namespace}}${root.localName}` : root.localName;
  if (sameName) {
    const want = sameName.namespace ? `the namespace ${sameName.namespace}` : 'no namespace';
    throw new FluxError('FLUX-ROOT', `The root element ${seen} is in the wrong namespace: ${root.localName} needs ${want}.`, `/${root.localName}`);
  }
  throw new FluxError(
    'FLUX-ROOT',
    `The root element ${seen} is not a flux chorus-flux accepts (UBL Invoice or CreditNote, CII CrossIndustryInvoice, CPPFacturePivot, CPPStatut, Factur-X PDF).`,
    `/${root.localName}`,
  );
}

/** Refuses a UBL or CII document an element of which is in another namespace (namespaces.ts). */
function checkNamespaces(xml: ParsedXml, family: 'UBL' | 'CII', opts: ParseOptions): void {
  const bad = foreignElement(xml.text, NAMESPACES[family]);
  if (bad) {
    const where = bad.namespace === undefined ? 'no namespace' : `the namespace ${bad.namespace}`;
    throw new FluxError('FLUX-NAMESPACE', `The element <${bad.element.slice(0, 60)}> is in ${where.slice(0, 120)}, not one of ${family}'s: the official schemas and rules would not see it. Bind it to the ${family} namespace.`, undefined, lineAt(xml.text, bad.index));
  }
  checkSchemaStructure(xml, family, opts);
}

/** Refuses a document whose elements or attributes leave its official XSD's structure (structure.ts). */
function checkSchemaStructure(xml: ParsedXml, family: keyof typeof STRUCTURE, opts: ParseOptions): void {
  if (opts.schemaStructure === false) return;
  const misplaced = checkStructure(xml.text, STRUCTURE[family]);
  if (misplaced) {
    const line = lineAt(xml.text, misplaced.index);
    throw new FluxError('FLUX-SCHEMA', `At line ${line}, ${misplaced.message}.`.slice(0, 300), undefined, line);
  }
}

export interface ParsedInvoiceFlux extends InvoiceFlux {
  pivotEnvelope?: PivotEnvelope;
}

export interface ParsedStatusXml {
  kind: 'CPPStatut';
  xml: ParsedXml;
}

export type ParsedFlux = ParsedInvoiceFlux | ParsedStatusXml;


export interface ParseOptions {
  /**
   * Check a UBL, CII, pivot or CPPStatut document's element structure against its official XSD (FLUX-SCHEMA).
   * Default true. Off only to judge business rules on their own, as the schematron does
   * (`validate --profile en16931`, the schematron's unit tests, whose snippets are not
   * schema-valid).
   */
  schemaStructure?: boolean;
  /** the most bytes the XML embedded in a Factur-X may decompress to (default 120 MB, limits.maxInvoiceBytes) */
  maxEmbeddedBytes?: number;
  /**
   * Told how many bytes a Factur-X's embedded XML inflated to, before it is parsed (what the
   * runner's in-flight budget counts: the PDF's own size says nothing of it). A promise: wait
   * for room; the XML is dropped meanwhile and inflated again then, so that files waiting
   * hold no inflated XML. Undefined: go on.
   */
  embeddedXmlBytes?: (bytes: number) => Promise<void> | undefined;
}

/** ZUGFeRD 1.0's root (2014–2018), still sent by older German software. */
const ZUGFERD_1 = { localName: 'CrossIndustryDocument', namespace: 'urn:ferd:CrossIndustryDocument:invoice:1p0' };

/** The XML of a Factur-X must be a CII D16B invoice; said of its root in the words of a PDF's content. */
function checkEmbeddedRoot(root: RootInfo): void {
  if (root.localName === 'CrossIndustryInvoice' && root.namespace === NS.CII) return;
  const seen = root.namespace ? `{${root.namespace}}${root.localName}` : root.localName;
  const what = root.localName === ZUGFERD_1.localName && root.namespace === ZUGFERD_1.namespace ? `a ZUGFeRD 1.0 invoice (${seen})` : `a ${seen}`;
  throw new FluxError('FLUX-ROOT', `The root element is ${what}, not a CII D16B CrossIndustryInvoice (Factur-X, ZUGFeRD 2).`, `/${root.localName}`);
}

/**
 * A refusal of a Factur-X's embedded XML, said of that file: "The file is empty (0 bytes)" or
 * "Malformed XML at line 29" of a 27 KB PDF sent the partner looking at the PDF, and a partner
 * told its file is empty sends the same one again.
 */
function inEmbeddedXml(e: FluxError, name: string): FluxError {
  const said = e.message.charAt(0).toLowerCase() + e.message.slice(1);
  return new FluxError(e.rule, `In the XML embedded in the PDF (${name}): ${said}`, e.path, e.line, e.kind);
}

/**
 * A UBL or CII invoice some value of which had XML white space at an end gets the same
 * invoice read as written (SyntaxFacts.asWritten), which the EN 16931 rules judge: the official
 * schematron reads `<ram:CategoryCode>S </ram:CategoryCode>` or `100.00 ` as written. The
 * invoice itself, which the pivot and the Factur-X carry, keeps its values trimmed.
 */
function withAsWritten(inv: Invoice, xml: ParsedXml, read: (node: XNode) => Invoice): Invoice {
  if (xml.asWritten && inv.syntaxFacts) inv.syntaxFacts.asWritten = read(xml.asWritten());
  return inv;
}

/** Parses an inbound file. Throws FluxError for any refusal; never anything else on bad input. */
export async function parseFlux(bytes: Uint8Array, opts: ParseOptions = {}): Promise<ParsedFlux> {
  if (bytes.length > 0 && isPdf(bytes)) {
    let embedded: Awaited<ReturnType<typeof extractEmbeddedInvoice>> | undefined = await extractEmbeddedInvoice(bytes, opts.maxEmbeddedBytes);
    const room = opts.embeddedXmlBytes?.(embedded.xml.length);
    if (room) {
      embedded = undefined; // not held while it waits
      await room;
      embedded = await extractEmbeddedInvoice(bytes, opts.maxEmbeddedBytes);
    }
    try {
      const xml = readXml(embedded.xml);
      checkEmbeddedRoot(xml.root);
      checkNamespaces(xml, 'CII', opts);
      const inv = withAsWritten(parseCii(xml.node, xml.contents), xml, (node) => parseCii(node, xml.contents));
      inv.facturxPdf = { conformance: embedded.xmp?.conformance, pdfaPart: embedded.xmp?.pdfaPart, actions: embedded.actions };
      return { kind: FLUX_KINDS.FACTURX, invoices: [inv], embeddedXmlName: embedded.name };
    } catch (e) {
      throw isFluxError(e) ? inEmbeddedXml(e, embedded.name) : e;
    }
  }
  const xml = readXml(bytes);
  const family = rootFamily(xml.root);
  switch (family) {
    case 'UBL': {
      checkNamespaces(xml, 'UBL', opts);
      const rootName = xml.root.localName as 'Invoice' | 'CreditNote';
      const inv = withAsWritten(parseUbl(xml.node, rootName, xml.contents), xml, (node) => parseUbl(node, rootName, xml.contents));
      // one invoice document (TypePJ 01): the first that qualifies; a second PDF coded 380 is a complementary one
      const invoiceDocument = inv.attachments.find((a) => isInvoiceDocument(a, inv));
      if (invoiceDocument) invoiceDocument.isInvoiceDocument = true;
      const e2 = inv.attachments.some((a) => a.isInvoiceDocument);
      return { kind: e2 ? FLUX_KINDS.UBL_E2 : FLUX_KINDS.UBL_E1, invoices: [inv] };
    }
    case 'CII':
      checkNamespaces(xml, 'CII', opts);
      return { kind: FLUX_KINDS.CII, invoices: [withAsWritten(parseCii(xml.node, xml.contents), xml, (node) => parseCii(node, xml.contents))] };
    case 'PIVOT': {
      // a pivot with no invoice is an empty flux (IRR_VIDE_F), before its schema says it ends early
      if (kids(kid(xml.node, 'CPPFactures'), 'CPPFacturePivotUnitaire').length === 0) throw new FluxError('FLUX-EMPTY', 'The pivot holds no CPPFacturePivotUnitaire.', '/CPPFacturePivot/CPPFactures');
      checkSchemaStructure(xml, 'PIVOT', opts);
      const p = parsePivot(xml.node, xml.contents);
      checkCounter(p.declaredCount, p.invoices.length, '/CPPFacturePivot/CPPFactures/@Compteur', 'invoice(s)');
      return { kind: FLUX_KINDS.PIVOT, invoices: p.invoices, pivotEnvelope: p.envelope };
    }
    case 'STATUT':
      try {
        checkSchemaStructure(xml, 'STATUT', opts);
        checkStatutCounters(xml.node);
      } catch (e) {
        // refused as a status flow: answered by a CPPStatut 93, never by a CDAR about an invoice
        throw isFluxError(e) ? new FluxError(e.rule, e.message, e.path, e.line, FLUX_KINDS.STATUT) : e;
      }
      return { kind: FLUX_KINDS.STATUT, xml };
  }
}
