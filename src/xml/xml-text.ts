/**
 * Text as XML 1.0 can carry it. A file name may hold any byte but "/" (a control character
 * from a careless client, an escape sequence), and it travels into the flows sent back
 * (CPPStatut IdFlux, CDAR): written as is, it makes a document no parser accepts. Characters
 * XML forbids (C0 controls but tab, LF, CR; lone surrogates; U+FFFE, U+FFFF) become spaces.
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(s: string): string {
  return s.replace(FORBIDDEN, ' ').trim();
}
