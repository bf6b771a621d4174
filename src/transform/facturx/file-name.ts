/**
 * Name of the Factur-X attachment in the pivot: FX_<invoice number>.pdf, at most 50
 * characters with the extension (Chorus Pro's limit), only [A-Za-z0-9._-].
 */
export const MAX_PJ_NAME = 50;

export function facturXFileName(invoiceNumber: string | undefined): string {
  const prefix = 'FX_';
  const ext = '.pdf';
  const cleaned = (invoiceNumber ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, MAX_PJ_NAME - prefix.length - ext.length)
    .replace(/[._-]+$/g, '');
  return `${prefix}${cleaned || 'facture'}${ext}`;
}
