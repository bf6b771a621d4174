/**
 * BT-125 attributes (mimeCode, filename) in the generated CII. The pivot's MimeTypePJ trusts
 * the bytes over the declared mimeCode (CPRO-PJ-MIME is a warning, the invoice goes through); the Factur-X copied the declared
 * one, so a PNG sent as "application/pdf" was a PNG labelled PDF in the Factur-X and a PNG in the
 * pivot beside it. The content's type is written when BR-CL-24 allows it, else the declared one
 * (which the input's own BR-CL-24 already judged): the CII stays valid and agrees with the pivot.
 * A CII input may leave mimeCode out (its XSD does not require it; Factur-X's does): the file
 * name's extension tells it then, rather than application/octet-stream, which BR-CL-24 refuses.
 */
import type { Attachment } from '../../model/invoice';
import { contentMime, extensionForMime, mimeForExtension } from '../enrich/mime-sniff';
import { CODES } from '../validate/codelists';

export function ciiMimeCode(a: Attachment): string {
  const declared = a.mimeCode?.trim() || undefined;
  const known = contentMime(a.content, declared).mime;
  if (known !== undefined && CODES.mime.has(known)) return known;
  if (declared !== undefined) return declared;
  const byName = mimeForExtension(/\.([A-Za-z0-9]{1,10})$/.exec(a.fileName ?? '')?.[1]?.toLowerCase() ?? '');
  return byName ?? 'application/octet-stream';
}

/**
 * BT-125 filename, which Factur-X's XSD requires: as sent; a CII may leave it out (a document
 * described only), and the reference alone ("PV-12") named a file no reader could open by its
 * name: it gets the extension of its type, as its pivot NomPJ does ("PV-12.pdf").
 */
export function ciiFileName(a: Attachment): string | undefined {
  if (a.fileName !== undefined && a.fileName.trim() !== '') return a.fileName.trim();
  const id = a.id?.trim();
  if (id === undefined || id === '') return undefined;
  const ext = extensionForMime(ciiMimeCode(a));
  return ext === undefined || id.toLowerCase().endsWith(`.${ext}`) ? id : `${id}.${ext}`;
}
