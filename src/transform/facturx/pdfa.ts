/**
 * PDF/A-3b + Factur-X packaging of a pdf-lib document (DESIGN.md §6): the embedded
 * factur-x.xml (filespec with /AFRelationship, /Subtype text/xml, /Params Size, ModDate and
 * CheckSum, in the catalog's /AF and /Names /EmbeddedFiles), the sRGB OutputIntent, the XMP
 * metadata stream and an Info dictionary with the same values, the trailer /ID.
 */
import { createHash } from 'node:crypto';
import { flate, flateText } from './flate';
import { rawStream, rawStreamOf } from './raw-stream';
import { PDFArray, PDFBool, PDFDict, PDFFlateStream, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDocument, type PDFRef } from 'pdf-lib';
import { hexText } from './hex-text';
import { SRGB_INFO, SRGB_OUTPUT_CONDITION, srgbIccProfile } from './icc';
import { PROFILE_INFO } from './profiles';
import { buildXmp, pdfDate, type DocumentMeta } from './xmp';

/**
 * A filespec's /UF: a plain literal string for an ASCII name, as the official samples write it
 * (poppler's `pdfdetach -savefile` does not match a UTF-16 name with BOM); UTF-16 otherwise.
 */
function unicodeName(name: string): PDFString | PDFHexString {
  return /^[\x20-\x7e]*$/.test(name) && !/[()\\]/.test(name) ? PDFString.of(name) : PDFHexString.fromText(name);
}

/** Embeds the XML as an associated file of the document (PDF/A-3). */
export function attachInvoiceXml(doc: PDFDocument, xml: Uint8Array, meta: Pick<DocumentMeta, 'xmlName' | 'profile' | 'date'>): PDFRef {
  const ctx = doc.context;
  const date = PDFString.of(pdfDate(meta.date));
  const md5 = createHash('md5').update(xml).digest('hex');
  const stream = rawStream(ctx, flateText(xml), {
    Type: 'EmbeddedFile',
    Subtype: 'text/xml',
    Filter: 'FlateDecode',
    Params: { Size: xml.length, ModDate: date, CheckSum: PDFHexString.of(md5) },
  });
  const streamRef = ctx.register(stream);
  const name = PDFString.of(meta.xmlName);
  const spec = ctx.obj({
    Type: 'Filespec',
    F: name,
    UF: unicodeName(meta.xmlName),
    Desc: PDFString.of('Factur-X invoice'),
    AFRelationship: PDFName.of(PROFILE_INFO[meta.profile].afRelationship),
    EF: { F: streamRef, UF: streamRef },
  });
  const specRef = ctx.register(spec);
  doc.catalog.set(PDFName.of('AF'), ctx.obj([specRef]));
  const names = ctx.obj({ EmbeddedFiles: ctx.obj({ Names: ctx.obj([name, specRef]) }) });
  doc.catalog.set(PDFName.of('Names'), names);
  return specRef;
}

let iccDeflated: Uint8Array | undefined;

export function addSrgbOutputIntent(doc: PDFDocument): void {
  const ctx = doc.context;
  iccDeflated ??= flate(srgbIccProfile());
  const icc = rawStream(ctx, iccDeflated, { N: 3, Filter: 'FlateDecode' });
  const intent = ctx.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of(SRGB_OUTPUT_CONDITION),
    Info: PDFString.of(SRGB_INFO),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: ctx.register(icc),
  });
  doc.catalog.set(PDFName.of('OutputIntents'), ctx.obj([ctx.register(intent)]));
}

/** Info dictionary and XMP stream with the same title, author, subject, keywords, tools, dates. */
export function setMetadata(doc: PDFDocument, meta: DocumentMeta): void {
  const ctx = doc.context;
  const date = PDFString.of(pdfDate(meta.date));
  const info = ctx.obj({
    Title: hexText(meta.title),
    Author: hexText(meta.author),
    Subject: hexText(meta.subject),
    Keywords: hexText(meta.keywords),
    Creator: hexText(meta.creatorTool),
    Producer: hexText(meta.producer),
    CreationDate: date,
    ModDate: date,
  });
  ctx.trailerInfo.Info = ctx.register(info);
  const xmp = Buffer.from(buildXmp(meta), 'utf8');
  // PDF/A: the metadata stream is not filtered
  const stream = rawStream(ctx, xmp, { Type: 'Metadata', Subtype: 'XML', Length: xmp.length });
  doc.catalog.set(PDFName.of('Metadata'), ctx.register(stream));
  doc.catalog.set(PDFName.of('Lang'), PDFString.of('fr-FR'));
  const prefs = PDFDict.withContext(ctx);
  prefs.set(PDFName.of('DisplayDocTitle'), PDFBool.True);
  doc.catalog.set(PDFName.of('ViewerPreferences'), prefs);
}

/** Trailer /ID: both parts derived from the content, so the same input gives the same bytes. */
export function setDocumentId(doc: PDFDocument, seed: Uint8Array | string): void {
  const id = createHash('md5').update(seed).digest('hex');
  const hex = PDFHexString.of(id);
  doc.context.trailerInfo.ID = doc.context.obj([hex, hex]) as PDFArray;
}



/**
 * Makes this document's `context.flateStream` (used by pdf-lib for the font programs and the
 * ToUnicode CMaps it embeds) deflate with Node's zlib rather than pdf-lib's JavaScript deflate.
 * Only this document's context is changed.
 */
export function useNativeDeflate(doc: PDFDocument): void {
  const ctx = doc.context;
  ctx.flateStream = (contents: string | Uint8Array, dict = {}) => {
    const bytes = typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents;
    return rawStream(ctx, flate(bytes), { ...dict, Filter: 'FlateDecode' });
  };
}

/**
 * Compresses every stream pdf-lib would deflate itself (page contents, font programs, CMaps)
 * with Node's zlib instead of pdf-lib's JavaScript deflate: same Flate format, several times
 * faster. Call after `doc.flush()` (fonts embedded) and before `save()`.
 */
export function deflateStreams(doc: PDFDocument): void {
  const ctx = doc.context;
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFFlateStream)) continue;
    const dict = obj.dict.clone(ctx);
    const raw = obj.getUnencodedContents();
    const z = flate(raw);
    dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
    dict.set(PDFName.of('Length'), PDFNumber.of(z.length));
    ctx.assign(ref, rawStreamOf(dict, z));
  }
}
