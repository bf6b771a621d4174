/**
 * One invoice of the model → one Factur-X PDF (PDF/A-3b, factur-x.xml embedded). Pure and
 * deterministic: no clock (the date comes from the invoice or the caller), /ID and subset
 * tags derived from the content, so the same invoice and options give the same bytes.
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import type { Invoice } from '../../model/invoice';
import { cutReason } from '../../util/reason';
import { VERSION } from '../../version';
import { generateCii, type CiiProblem } from './cii-generate';
import { completeForFacturX, type KnownFacts } from './complete';
import { cachedFontkit, fontBytes, type FontKey } from './fonts';
import { documentTitle } from './format-fr';
import { useCachedFontTexts } from './font-objects';
import { isCreditNote, renderInvoice } from './pdf-render';
import { addSrgbOutputIntent, attachInvoiceXml, deflateStreams, setDocumentId, setMetadata, useNativeDeflate } from './pdfa';
import { DEFAULT_PROFILE, FACTURX_XML_NAME, PROFILE_INFO, PROFILES, type FacturXProfile } from './profiles';
import { profileProblems, profileRefused } from './profile-checks';
import { ciiRuleProblems } from './cii-rules';
import type { DocumentMeta } from './xmp';

export interface FacturXOptions {
  profile?: FacturXProfile;
  /** creation date of the PDF; default: the invoice issue date (00:00 UTC) */
  date?: Date;
  /** what the configuration knows and a pivot may leave out (the buyer's name); default: nothing */
  known?: KnownFacts;
}

export interface FacturXResult {
  pdf: Uint8Array;
  /** the embedded factur-x.xml, byte for byte (joined when read) */
  readonly xml: string;
  profile: FacturXProfile;
  /** what the profile needs that the invoice lacks: a non-empty list means not valid */
  problems: CiiProblem[];
  pages: number;
}

const PRODUCER = `chorus-flux ${VERSION}`;
/** no ligatures nor kerning: one glyph per character, widths are the advance widths */
const FEATURES = { liga: false, clig: false, kern: false, calt: false };

function issueDate(inv: Invoice): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec((inv.issueDate ?? '').trim());
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : new Date(Date.UTC(2000, 0, 1));
}

/** Six capital letters from a digest: the subset tag of an embedded font (PDF 9.6.4). */
function subsetTag(seed: string, key: FontKey): string {
  const h = createHash('sha256').update(key).update(seed).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (h[i] % 26));
  return tag;
}

/**
 * The seller's name in the document information (Info /Title, /Author, /Subject and the XMP),
 * at most this many characters: it is there three times, in UTF-16 hex in the Info, so a name of
 * a megabyte made a Factur-X of 15 MB (over the 10 MB an attachment may be) with strings past
 * PDF/A's 32,767 bytes. The pages and the CII name the seller as always.
 */
const MAX_META_NAME = 200;

function metaOf(inv: Invoice, profile: FacturXProfile, date: Date): DocumentMeta {
  const credit = isCreditNote(inv);
  const kind = documentTitle(inv.typeCode, credit);
  const label = kind.charAt(0) + kind.slice(1).toLowerCase();
  const name = inv.seller.name ?? inv.seller.tradingName ?? '';
  const seller = [...name].length > MAX_META_NAME ? cutReason(name, MAX_META_NAME) : name;
  const number = inv.number ?? '';
  return {
    title: `${seller} : ${label} ${number}`.trim(),
    author: seller,
    // "un avoir émis", "une facture émise"
    subject: `${label} ${number} du ${inv.issueDate ?? ''} ${credit ? 'émis' : 'émise'} par ${seller}`.replace(/\s+/g, ' ').trim(),
    keywords: `${label}, Factur-X, ${PROFILE_INFO[profile].conformance}`,
    creatorTool: PRODUCER,
    producer: `${PRODUCER} (pdf-lib)`,
    date,
    xmlName: FACTURX_XML_NAME,
    profile,
  };
}

/** The CII and its problems for a profile, after the documented completions. */
export interface FacturXData {
  invoice: Invoice;
  /** the CII as text */
  readonly xml: string;
  /** the CII as UTF-8 bytes, made without the text (what the PDF embeds) */
  xmlBytes(): Buffer;
  problems: CiiProblem[];
}

export function facturXData(invoice: Invoice, profile: FacturXProfile, known: KnownFacts = {}): FacturXData {
  return dataOfCompleted(completeForFacturX(invoice, known), profile);
}

/**
 * facturXData for an invoice already completed (completeForFacturX); `refused`: the profile's
 * profileProblems when the caller has them (none, for a profile profileRefused let through).
 */
function dataOfCompleted(inv: Invoice, profile: FacturXProfile, refused: CiiProblem[] = profileProblems(inv, profile)): FacturXData {
  const cii = generateCii(inv, profile);
  let bytes: Buffer | undefined;
  const xmlBytes = () => (bytes ??= cii.bytes());
  const problems = [...cii.problems, ...refused];
  // a profile with lines is an EN 16931 invoice: its CII must pass the rules' CII form too (cii-rules.ts)
  if (problems.length === 0 && PROFILE_INFO[profile].lines) problems.push(...ciiRuleProblems(cii));
  // the XML text is built only if read (makeBestFacturX reads it for the profile it keeps)
  return {
    invoice: inv,
    get xml() {
      return cii.xml;
    },
    xmlBytes,
    problems,
  };
}

export async function makeFacturX(invoice: Invoice, opts: FacturXOptions = {}): Promise<FacturXResult> {
  const profile = opts.profile ?? DEFAULT_PROFILE;
  const data = facturXData(invoice, profile, opts.known);
  const pdf = await packFacturX(data.invoice, data.xmlBytes(), profile, opts.date ?? issueDate(data.invoice));
  return resultOf(pdf, data, profile);
}

/**
 * The Factur-X at the richest profile, from `preferred` down to MINIMUM, that the invoice
 * fills (the preferred one, with its problems, when none does). The pipeline uses it: every
 * invoice it accepts gets its Factur-X, a pivot without VAT categories included.
 */
export async function makeBestFacturX(invoice: Invoice, preferred: FacturXProfile = DEFAULT_PROFILE, opts: { date?: Date; known?: KnownFacts } = {}): Promise<FacturXResult> {
  const inv = completeForFacturX(invoice, opts.known);
  let chosen: { profile: FacturXProfile; data: FacturXData } | undefined;
  for (let k = PROFILES.indexOf(preferred); k >= 0 && !chosen; k--) {
    // a profile the checks beyond the table refuse is not walked: its problems would only add
    // to those (most pivots lack the seller's VAT id and go straight to MINIMUM)
    if (profileRefused(inv, PROFILES[k])) continue;
    const data = dataOfCompleted(inv, PROFILES[k], []);
    if (data.problems.length === 0) chosen = { profile: PROFILES[k], data };
  }
  chosen ??= { profile: preferred, data: dataOfCompleted(inv, preferred) };
  const pdf = await packFacturX(chosen.data.invoice, chosen.data.xmlBytes(), chosen.profile, opts.date ?? issueDate(chosen.data.invoice));
  return resultOf(pdf, chosen.data, chosen.profile);
}

/** The result, its XML text made only if read (the pipeline keeps the PDF alone). */
function resultOf(pdf: { pdf: Uint8Array; pages: number }, data: FacturXData, profile: FacturXProfile): FacturXResult {
  return {
    ...pdf,
    get xml() {
      return data.xml;
    },
    profile,
    problems: data.problems,
  };
}

async function packFacturX(inv: Invoice, xmlBytes: Buffer, profile: FacturXProfile, date: Date): Promise<{ pdf: Uint8Array; pages: number }> {
  // the seed hash, the MD5 checksum and the deflate all read these bytes
  const seed = createHash('sha256').update(xmlBytes).update(profile).update(PRODUCER).digest('hex');
  const doc = await PDFDocument.create({ updateMetadata: false });
  useNativeDeflate(doc);
  doc.registerFontkit(cachedFontkit);
  const fonts = {
    regular: await doc.embedFont(fontBytes('regular'), { subset: true, customName: `${subsetTag(seed, 'regular')}+DejaVuSans`, features: FEATURES }),
    bold: await doc.embedFont(fontBytes('bold'), { subset: true, customName: `${subsetTag(seed, 'bold')}+DejaVuSans-Bold`, features: FEATURES }),
  };
  useCachedFontTexts(fonts.regular);
  useCachedFontTexts(fonts.bold);
  const pages = renderInvoice(doc, fonts, inv, { profile });
  const meta = metaOf(inv, profile, date);
  attachInvoiceXml(doc, xmlBytes, meta);
  addSrgbOutputIntent(doc);
  setMetadata(doc, meta);
  setDocumentId(doc, seed);
  await doc.flush();
  deflateStreams(doc);
  // no object streams: pdf-lib would deflate them in JavaScript, for a few hundred bytes saved
  const pdf = await doc.save({ useObjectStreams: false, addDefaultPage: false, objectsPerTick: Number.POSITIVE_INFINITY });
  return { pdf, pages };
}
