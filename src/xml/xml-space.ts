/**
 * XML's white space: space, tab, carriage return, line feed, and nothing else. The XSD's
 * `collapse` strips only these around a decimal, a date or a code; JavaScript's trim() also
 * strips the no-break space and the other Unicode spaces, which made " 90.00" (U+00A0 first)
 * pass for a decimal that every schema-aware reader refuses.
 */
const EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** `s` without the XML white space at its ends (the string itself when there is none: the usual case). */
export function xmlTrim(s: string): string {
  if (s.length === 0 || (!isXmlSpace(s.charCodeAt(0)) && !isXmlSpace(s.charCodeAt(s.length - 1)))) return s;
  return s.replace(EDGE_SPACE, '');
}
