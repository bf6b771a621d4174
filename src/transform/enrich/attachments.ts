/**
 * Attachment typing (IPM4-001): TypePJ, CategoriePJ, MimeTypePJ from the content's magic
 * bytes (a mismatch with the declared mimeCode is a warning; the content wins), NomPJ and
 * NomPJOrigine (not for the invoice document, TypePJ 01: the V2_02 XSD keeps it for the others).
 * Pivot input keeps the values it came with, but for a NomPJ the XSD refuses or that reads as a
 * path (made safe, the given name kept as NomPJOrigine but for the invoice document). Pure.
 */
import type { Attachment } from '../../model/invoice';
import { isPlainName, originalName, safeName, uniqueNames } from './attachment-names';
import { categoryOf } from './attachment-category';
import { contentMime, extensionForMime, isSureSniff, mimeForExtension, sameMime } from './mime-sniff';
import limits from '../../../schemas/chorus-attachments.json';

const ALLOWED = new Set(limits.allowedExtensions);

function extOf(name: string | undefined): string {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(name ?? '');
  return m ? m[1].toLowerCase() : '';
}

/**
 * The NomPJ's extension: the given one when Chorus Pro allows it and it agrees with what the
 * content is (known by a sure signature); else the content type's ("photo.pdf" holding a PNG is
 * photo.png; "download" holding a PDF gets .pdf). A name given by address only, whose content is
 * not known, keeps its own (it is listed, never fetched).
 */
function nameExtension(given: string, mime: string, contentKnown: boolean): string {
  const allowed = given !== '' && ALLOWED.has(given.toUpperCase());
  const named = mimeForExtension(given);
  // only a sure signature contradicts a name: "<?xml" starts an SVG too, "BM" a CSV of BMW cars
  const sure = contentKnown && isSureSniff(mime);
  const agrees = !sure || named === undefined || sameMime(named, mime) || sameContainer(named, mime);
  if (allowed && agrees) return given;
  return extensionForMime(mime) || (allowed ? given : '');
}

/**
 * Types whose bytes begin alike, so that the content cannot tell them apart: every OLE2 file
 * (doc, xls, ppt) reads as application/msword, a ZIP whose parts lie past the first 64 KB as
 * application/zip (docx, xlsx, odt…).
 */
function sameContainer(named: string, sniffed: string): boolean {
  if (sniffed === 'application/msword') return /^application\/(msword|vnd\.ms-)/.test(named);
  if (sniffed === 'application/zip') return /^application\/(zip|vnd\.openxmlformats|vnd\.oasis\.opendocument)/.test(named);
  return false;
}

/** `raw` with its extension `given` replaced by `ext` where they differ. */
function withExtension(raw: string, given: string, ext: string): string {
  if (given === '' || ext === '' || given === ext) return raw;
  return `${raw.slice(0, raw.length - given.length - 1)}.${ext}`;
}

/** An address's last path segment, percent-decoded where it decodes ("PV%20de%20réception.pdf"). */
function uriSegment(uri: string): string | undefined {
  const last = uri.split(/[?#]/)[0].split('/').pop();
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export interface TypedAttachments {
  attachments: Attachment[];
}

export function typeAttachments(list: readonly Attachment[]): TypedAttachments {
  const typed = list.map((a, k): Attachment => {
    if (a.pivot?.typePJ !== undefined && a.pivot.nomPJ !== undefined && a.pivot.mimeTypePJ !== undefined) {
      // from a pivot: kept as it came, but for a name the XSD refuses (over 50) or that reads as a path
      const given = a.pivot.nomPJ;
      if (isPlainName(given)) return a;
      const nomPJ = safeName(given, `PJ${k + 1}`, extOf(given) || extensionForMime(a.pivot.mimeTypePJ) || undefined);
      return { ...a, pivot: { ...a.pivot, nomPJ, nomPJOrigine: a.pivot.nomPJOrigine ?? (a.pivot.typePJ === '01' ? undefined : originalName(given)) } };
    }
    // a supporting document given by its reference alone (BT-122, no BT-124 address, no
    // BT-125 content) is no attachment: as a PJ it was an empty file named after the
    // reference, which a finance system cannot open. The validation rules do not count it either.
    if (a.content === undefined && a.contentError === undefined && a.uri === undefined && a.pivot === undefined) return a;
    // a declared mimeCode the content surely contradicts: the content wins (rule CPRO-PJ-MIME says so)
    const known = contentMime(a.content, a.mimeCode);
    // the file name, else (given by URI) the address's last segment, decoded: https://…/sheet001.html is text/html
    const named = a.fileName ?? (a.uri !== undefined ? uriSegment(a.uri) : undefined);
    const raw = named ?? a.id ?? '';
    const mime = known.mime ?? mimeForExtension(extOf(named)) ?? 'application/octet-stream';
    const ext = nameExtension(extOf(named), mime, known.ext !== undefined);
    const isPdf = mime === 'application/pdf';
    return {
      ...a,
      pivot: {
        ...a.pivot,
        typePJ: a.isInvoiceDocument ? '01' : '02',
        categoriePJ: a.pivot?.categoriePJ ?? categoryOf(a, isPdf),
        mimeTypePJ: mime,
        nomPJ: safeName(withExtension(raw, extOf(named), ext), `PJ${k + 1}`, ext || undefined),
        // the V2_02 XSD: "Nom d'origine de la pièce jointe (sauf facture originale)" — not for TypePJ 01
        nomPJOrigine: a.pivot?.nomPJOrigine ?? (a.fileName !== undefined && !a.isInvoiceDocument ? originalName(a.fileName) : undefined),
        // an attachment given only by URI is listed, never fetched: its address is the PJ's IdUnique
        idUnique: a.pivot?.idUnique ?? (a.content === undefined ? a.uri : undefined),
      },
    };
  });
  const names = uniqueNames(typed.map((a) => a.pivot?.nomPJ ?? ''));
  typed.forEach((a, k) => {
    if (a.pivot?.nomPJ === undefined) return;
    // renamed to be unique (a pivot's two "facture.pdf"): the name it was given is its NomPJOrigine
    // (not for the invoice itself: the V2_02 XSD keeps NomPJOrigine for the others)
    if (names[k] !== a.pivot.nomPJ && a.pivot.nomPJOrigine === undefined && a.pivot.typePJ !== '01') a.pivot.nomPJOrigine = originalName(a.pivot.nomPJ);
    a.pivot.nomPJ = names[k];
  });
  return { attachments: typed };
}
