/**
 * Text as XML 1.0 can carry it. A file name may hold any byte but "/" (a control character
 * from a careless client, an escape sequence), and it travels into the flows sent back
 * (CPPStatut IdFlux, CDAR): written as is, it makes a document no parser accepts. Characters
 * XML forbids (C0 controls but tab, LF, CR; lone surrogates; U+FFFE, U+FFFF) become spaces.
 * The result is for xmlbuilder2 (every caller gives it to `txt()`): see `forXmlbuilder`.
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(s: string): string {
  return forXmlbuilder(s.replace(FORBIDDEN, ' ').trim());
}

/**
 * `s` as xmlbuilder2 must be given it to write `s`. Its serializer escapes an "&" only when
 * it does not start something shaped like a reference (nonEntityAmpersandRegex): a value
 * holding the text "&amp;", "&#1;" or "&foo;" (a UBL "AT&amp;amp;T", a parse error quoting
 * the "&#1;" it refused) went out as that markup — read back as "&", or no well-formed XML
 * at all. Every "&" escaped here comes out of it as one "&amp;", whatever follows.
 */
export function forXmlbuilder(s: string): string {
  return s.includes('&') ? s.replace(/&/g, '&amp;') : s;
}
