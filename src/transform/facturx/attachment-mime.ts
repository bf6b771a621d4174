/**
 * BT-125 mimeCode in the generated CII. The pivot's MimeTypePJ trusts the bytes over the declared
 * mimeCode (CPRO-PJ-MIME is a warning, the invoice goes through); the Factur-X copied the declared
 * one, so a PNG sent as "application/pdf" was a PNG labelled PDF in the Factur-X and a PNG in the
 * pivot beside it. The content's type is written when BR-CL-24 allows it, else the declared one
 * (which the input's own BR-CL-24 already judged): the CII stays valid and agrees with the pivot.
 * A CII input may leave mimeCode out (its XSD does not require it; Factur-X's does): the file
 * name's extension tells it then, rather than application/octet-stream, which BR-CL-24 refuses.
 */
import type { Attachment } from '../../model/invoice';
import { contentMime, mimeForExtension } from '../enrich/mime-sniff';
import { CODES } from '../validate/codelists';

export function ciiMimeCode(a: Attachment): string {
  const declared = a.mimeCode?.trim() || undefined;
  const known = contentMime(a.content, declared).mime;
  if (known !== undefined && CODES.mime.has(known)) return known;
  if (declared !== undefined) return declared;
  const byName = mimeForExtension(/\.([A-Za-z0-9]{1,10})$/.exec(a.fileName ?? '')?.[1]?.toLowerCase() ?? '');
  return byName ?? 'application/octet-stream';
}
