/**
 * XML text → a tree of plain objects, namespace prefixes removed, with the checks a
 * hostile flux needs first: no DTD (no entity expansion, no external fetch), one root,
 * only the predefined entities, well-formed.
 */
import { XMLParser } from 'fast-xml-parser';
import { isAscii } from 'node:buffer';
import { FluxError } from '../model/flux-error';
import { decodeBase64Strict, decodeBase64StrictBytes, type Base64Result } from '../util/base64';
import { decodeAs } from './decode';
import type { XNode } from './nodes';
import { checkWellFormed } from './well-formed';
import { xmlTrim } from './xml-space';

export interface RootInfo {
  /** local name of the root element */
  localName: string;
  /** namespace URI of the root element ('' when none) */
  namespace: string;
}

/** Element depth the parser takes (fast-xml-parser's own guard; a UBL invoice nests about 8). */
const MAX_NESTING = 100;

const BASE_OPTIONS = {
  maxNestedTags: MAX_NESTING,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // values lose XML's white space at their ends, and only that: the parser's own trim() also
  // took the no-break space and the other Unicode spaces, so " 340.65" (U+00A0 first), a date
  // after an em space or a counter "1 " passed where every schema-aware reader refuses them;
  // a text of white space only (the indentation between elements) is dropped, as before
  trimValues: false,
  tagValueProcessor: (_name: string, value: string) => trimmed(value),
  attributeValueProcessor: (_name: string, value: string) => trimmed(value),
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false as const,
  // no path tracking: we never use stop nodes or path callbacks, and it halves the parse time
  jPath: false,
};

/** whether the parse under way trimmed some value that is not white space only (parses are synchronous) */
let paddedSeen = false;

function trimmed(value: string): string {
  const t = xmlTrim(value);
  if (t !== value && t !== '') paddedSeen = true;
  return t;
}

// decodes numeric character references (&#233;); named HTML entities are refused below
const parser = new XMLParser({ ...BASE_OPTIONS, processEntities: true, htmlEntities: true });

/**
 * Same tree, for a document whose only references are the five predefined entities (no "&#"):
 * fast-xml-parser builds its table of HTML entities again at every parse when they are on,
 * about 40 µs per document (docs/PERFORMANCE.md, thirty-third round).
 */
const xmlEntitiesParser = new XMLParser({ ...BASE_OPTIONS, processEntities: true, htmlEntities: false });

/** Same tree, for the usual document with no "&" at all: no entity pass over every value. */
const plainParser = new XMLParser({ ...BASE_OPTIONS, processEntities: false, htmlEntities: false });

/**
 * The values as written, white space at their ends kept (a text of white space only is still
 * dropped: the indentation between elements): what the official schematron reads.
 */
const AS_WRITTEN_OPTIONS = {
  ...BASE_OPTIONS,
  tagValueProcessor: (_name: string, value: string) => (xmlTrim(value) === '' ? '' : value),
  attributeValueProcessor: (_name: string, value: string) => value,
};
const asWrittenParser = new XMLParser({ ...AS_WRITTEN_OPTIONS, processEntities: true, htmlEntities: true });
const asWrittenXmlEntitiesParser = new XMLParser({ ...AS_WRITTEN_OPTIONS, processEntities: true, htmlEntities: false });
const asWrittenPlainParser = new XMLParser({ ...AS_WRITTEN_OPTIONS, processEntities: false, htmlEntities: false });

/** The parser a document needs: entities decoded only where it has some, character references only where it has some. */
function parserFor(text: string, plain: XMLParser, xmlEntities: XMLParser, all: XMLParser): XMLParser {
  const amp = text.indexOf('&');
  if (amp < 0) return plain;
  return text.includes('&#', amp) ? all : xmlEntities;
}

const BAD_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
/** Characters XML 1.0 forbids anywhere in a document (its Char production): C0 controls but tab, LF, CR; U+FFFE, U+FFFF. */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const CHAR_REF = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

/** A character reference to a character XML 1.0 forbids (&#x1;, &#0;, &#xD800;…): the first one, or undefined. */
function forbiddenCharRef(text: string): { index: number; ref: string } | undefined {
  if (!text.includes('&#')) return undefined;
  CHAR_REF.lastIndex = 0;
  for (let m = CHAR_REF.exec(text); m; m = CHAR_REF.exec(text)) {
    const c = m[1][0] === 'x' ? parseInt(m[1].slice(1), 16) : parseInt(m[1], 10);
    const legal = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!legal) return { index: m.index, ref: m[0] };
  }
  return undefined;
}
const DTD = /<!DOCTYPE|<!ENTITY/i;

/** Finds the root element and its namespace without parsing the whole document. */
export function scanRoot(text: string): RootInfo {
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) throw new FluxError('FLUX-EMPTY', 'The file holds no XML element.');
    if (text[i] !== '<') {
      throw new FluxError('FLUX-MALFORMED', 'The file does not start with an XML declaration or element: it is not XML.', undefined, lineAt(text, i));
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) throw new FluxError('FLUX-MALFORMED', 'An XML declaration or processing instruction is not closed.', undefined, lineAt(text, i));
      i = end + 2;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw new FluxError('FLUX-MALFORMED', 'A comment is not closed.', undefined, lineAt(text, i));
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      throw new FluxError('FLUX-MALFORMED', 'A CDATA section stands before the root element: XML allows one only inside an element (the invoice must not be wrapped in <![CDATA[ … ]]>).', undefined, lineAt(text, i));
    }
    if (text.startsWith('<!', i)) {
      throw new FluxError('FLUX-DTD', 'The file declares a DTD (<!DOCTYPE …>); DTDs are refused so that no entity is expanded and nothing external is fetched.', undefined, lineAt(text, i));
    }
    break;
  }
  const m = /^<([A-Za-z_][\w.-]*)(?::([A-Za-z_][\w.-]*))?/.exec(text.slice(i, i + 300));
  if (!m) throw new FluxError('FLUX-MALFORMED', 'The root element has no valid name.', undefined, lineAt(text, i));
  const prefix = m[2] !== undefined ? m[1] : '';
  const localName = m[2] ?? m[1];
  const tagEnd = text.indexOf('>', i);
  const startTag = text.slice(i, tagEnd < 0 ? n : tagEnd);
  const nsAttr = prefix ? `xmlns:${prefix}` : 'xmlns';
  const re = new RegExp(`\\s${nsAttr.replace('.', '\\.')}\\s*=\\s*(["'])(.*?)\\1`);
  const ns = re.exec(startTag);
  return { localName, namespace: ns ? ns[2] : '' };
}

export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < index; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

/**
 * Embedded files (base64 in EmbeddedDocumentBinaryObject, AttachmentBinaryObject, Contenu)
 * are most of the bytes of a flux with attachments, and base64 needs no XML processing nor
 * UTF-8 decoding: they are lifted out of the bytes before anything else (found with native
 * byte searches, checked as ASCII) and stay bytes: the tree holds a marker in their place,
 * which the readers of embedded files resolve (LiftedContents). Only the rest is decoded and
 * goes through the character-by-character XML checks. An error found in the lifted text is
 * located again in the whole text, so line numbers stay right.
 */
const BLOB_NAMES = ['EmbeddedDocumentBinaryObject', 'AttachmentBinaryObject', 'Contenu'].map((n) => Buffer.from(n, 'latin1'));
const BLOB_MIN = 2048;
const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
let blobNonce = 0;

/** The UTF-8 text of a flux with its big base64 contents replaced by `token<k>` markers. */
export interface LiftedXml {
  text: string;
  /** the lifted contents: views of the file's bytes (ASCII), trimmed of white space */
  blobs: Buffer[];
  token: string;
  /** the whole text, decoded again only to locate an error */
  whole(): string;
}

/**
 * The contents lifted out of one flux. They stay bytes: the parsed tree holds their marker
 * (`token<k>`), and the readers of embedded files (BT-125, Contenu) decode them from the bytes
 * a slice at a time — a megabyte content never becomes a megabyte string.
 */
export class LiftedContents {
  static readonly NONE = new LiftedContents('', []);

  constructor(
    private readonly token: string,
    private readonly blobs: readonly Buffer[],
  ) {}

  /** The base64 bytes a tree text stands for, when it is one of this flux's markers. */
  bytesOf(text: string): Buffer | undefined {
    if (this.blobs.length === 0 || !text.startsWith(this.token)) return undefined;
    const k = Number(text.slice(this.token.length));
    return Number.isInteger(k) ? this.blobs[k] : undefined;
  }

  /** Strict base64 decoding of an element's text, lifted or not (same results, same messages). */
  decode(text: string): Base64Result {
    const bytes = this.bytesOf(text);
    return bytes === undefined ? decodeBase64Strict(text) : decodeBase64StrictBytes(bytes);
  }
}

const isAsciiSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

/** `b` without its leading and trailing ASCII white space (what String.trim does to ASCII). */
function trimAscii(b: Buffer): Buffer {
  let from = 0;
  let to = b.length;
  while (from < to && isAsciiSpace(b[from])) from++;
  while (to > from && isAsciiSpace(b[to - 1])) to--;
  return b.subarray(from, to);
}

function isNameByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/** Start ("<") of the tag whose name, after an optional prefix, starts at `nameStart`, or -1. */
function openTagStart(b: Buffer, nameStart: number): number {
  let i = nameStart;
  if (b[i - 1] === 0x3a) {
    i--;
    while (i > 0 && isNameByte(b[i - 1])) i--;
  }
  return b[i - 1] === LT ? i - 1 : -1;
}

/** The ">" that ends the start tag beginning at `from`, skipping quoted attribute values; -1 if none. */
function startTagEnd(b: Buffer, from: number): number {
  let quote = 0;
  for (let i = from; i < b.length; i++) {
    const c = b[i];
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === GT) return i;
    else if (c === LT) return -1;
  }
  return -1;
}

/** The stretches of [0, length) outside `cuts` (which never overlap), as start, end, start, end… */
function gapsBetween(cuts: readonly [number, number][], length: number): number[] {
  const out = [0];
  for (const [from, to] of [...cuts].sort((x, y) => x[0] - y[0])) out.push(from, to);
  out.push(length);
  return out;
}

/** Where `name` starts in b[from, end) (it ends by `end` too), or -1: the bytes from `end` on are not searched. */
function indexWithin(b: Buffer, name: Buffer, from: number, end: number): number {
  if (end - from < name.length) return -1;
  const i = b.subarray(from, end).indexOf(name);
  return i < 0 ? -1 : from + i;
}

/**
 * Lifts the big base64 contents out of UTF-8 bytes (no byte-order mark) and decodes the rest
 * strictly (FLUX-ENCODING when it is not UTF-8).
 */
export function liftBlobs(b: Buffer): LiftedXml {
  // "*" is not base64: a marker read as a content by mistake is refused, never decoded
  const token = `cf*blob${(blobNonce++ % 1e9).toString(36)}x${Math.random().toString(36).slice(2, 8)}n`;
  const whole = () => decodeAs(b, 'utf-8');
  const cuts: [number, number][] = [];
  if (b.length >= 4096) {
    // the first "&" at or after a position, searched again only when passed
    let ampFrom = Infinity;
    let amp = -1;
    for (const name of BLOB_NAMES) {
      // searched only between the contents already cut (by the names before) and past those it
      // cuts itself: base64 holds no "<", so no tag there, and the contents are most of the bytes
      const gaps = gapsBetween(cuts, b.length);
      for (let g = 0; g < gaps.length; g += 2) {
        const end = gaps[g + 1];
        for (let from = gaps[g], at = indexWithin(b, name, from, end); at >= 0; at = indexWithin(b, name, from, end)) {
          from = at + name.length;
          if (openTagStart(b, at) < 0) continue; // a closing tag or a longer name
          const next = b[at + name.length];
          if (next !== GT && next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d) continue;
          const gt = startTagEnd(b, at + name.length);
          if (gt < 0 || b[gt - 1] === 0x2f) continue;
          const lt = b.indexOf(LT, gt + 1);
          if (lt < 0 || lt - gt - 1 < BLOB_MIN) continue;
          // the whole content only: a comment, a processing instruction or a CDATA section inside
          // it (valid XML) leaves the rest to the parser, which joins the pieces
          if (b[lt + 1] !== 0x2f) continue;
          if (gt + 1 < ampFrom || (amp >= 0 && amp <= gt)) {
            amp = b.indexOf(AMP, gt + 1);
            ampFrom = gt + 1;
          }
          if (amp >= 0 && amp < lt) continue; // entity references need the XML parser
          if (!isAscii(b.subarray(gt + 1, lt))) continue; // not base64: left to the parser and its errors
          cuts.push([gt + 1, lt]);
          from = lt;
        }
      }
    }
  }
  if (cuts.length === 0) {
    const text = whole();
    return { text, blobs: [], token, whole: () => text };
  }
  cuts.sort((x, y) => x[0] - y[0]);
  const blobs: Buffer[] = [];
  let text = '';
  let last = 0;
  for (const [from, to] of cuts) {
    // every cut starts after a ">" and ends at a "<": whole UTF-8 sequences on both sides
    text += `${decodeAs(b.subarray(last, from), 'utf-8')}${token}${blobs.push(trimAscii(b.subarray(from, to))) - 1}`;
    last = to;
  }
  text += decodeAs(b.subarray(last), 'utf-8');
  return { text, blobs, token, whole };
}

// processing instructions first: "<?x <!-- ?>" is a PI, not the start of a comment
const LITERAL = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
const CDATA_OUTSIDE_LITERALS = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>/g;

/**
 * CDATA sections written as the text they stand for: the reader then joins a value's text and
 * CDATA pieces before its edges are trimmed (trimmed piece by piece, "Prix HT " + "100 EUR"
 * read "Prix HT100 EUR").
 */
function cdataAsText(text: string): string {
  if (!text.includes('<![CDATA[')) return text;
  return text.replace(CDATA_OUTSIDE_LITERALS, (m, inner: string | undefined) => (inner === undefined ? m : inner.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')));
}

/** The text with its comments and CDATA sections blanked (same length, so positions and lines hold). */
function withoutLiteralText(text: string): string {
  if (!text.includes('<!--') && !text.includes('<![CDATA[')) return text;
  return text.replace(LITERAL, (m) => m.replace(/[^\n]/g, ' '));
}

/**
 * Full, strict parse of a lifted text (liftBlobs). The lifted contents stay out of the tree:
 * their elements hold their markers, read through `LiftedContents`. Throws FluxError (never
 * anything else) on bad input.
 */
/**
 * `asWritten`, when some value had XML white space at an end (trimmed in `tree`): the same
 * document's tree with its values as written, as the official schematron reads them.
 */
export function parseLiftedXml(lifted: LiftedXml): { tree: Record<string, XNode>; contents: LiftedContents; asWritten?: () => Record<string, XNode> } {
  const text = lifted.text;
  // markup and references are not read inside comments and CDATA sections ("AT&T", a note
  // quoting "<!DOCTYPE"): the checks below look at the text with those blanked out, in place
  const markup = withoutLiteralText(text);
  if (DTD.test(markup)) {
    throw new FluxError('FLUX-DTD', 'The file contains a DTD or entity declaration (<!DOCTYPE or <!ENTITY); it is refused before any expansion.');
  }
  const bad = BAD_ENTITY.exec(markup);
  if (bad) {
    throw new FluxError('FLUX-MALFORMED', `Malformed XML: "&" at line ${lineAt(text, bad.index)} does not start a predefined entity or a character reference.`, undefined, lineAt(text, bad.index));
  }
  const forbidden = FORBIDDEN_CHAR.exec(text);
  if (forbidden) {
    const code = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new FluxError('FLUX-MALFORMED', `Malformed XML at line ${lineAt(text, forbidden.index)}: the character U+${code} is not allowed in an XML document.`, undefined, lineAt(text, forbidden.index));
  }
  const ref = forbiddenCharRef(markup);
  if (ref) {
    throw new FluxError('FLUX-MALFORMED', `Malformed XML at line ${lineAt(text, ref.index)}: ${ref.ref} refers to a character XML does not allow.`, undefined, lineAt(text, ref.index));
  }
  let problem = checkWellFormed(text);
  let where = text;
  if (problem && lifted.blobs.length > 0) {
    // located in the whole text; should the lifting itself have broken it, parse the whole
    where = lifted.whole();
    problem = checkWellFormed(where);
    if (!problem) return parseLiftedXml({ text: where, blobs: [], token: lifted.token, whole: () => where });
  }
  if (problem) {
    const line = lineAt(where, problem.index);
    if (problem.tooLong) throw new FluxError('FLUX-TAILLE', `At line ${line}, ${problem.message}; refused before it is read.`, undefined, line);
    if (problem.namespace) throw new FluxError('FLUX-NAMESPACE', `At line ${line}, ${problem.message}: the official schemas and rules cannot read the file. Declare the prefix or remove it.`, undefined, line);
    throw new FluxError('FLUX-MALFORMED', `Malformed XML at line ${line}: ${problem.message}.`, undefined, line);
  }
  let tree: Record<string, XNode>;
  let padded: boolean;
  let readable: string;
  try {
    readable = cdataAsText(text);
    paddedSeen = false;
    tree = parserFor(readable, plainParser, xmlEntitiesParser, parser).parse(readable) as Record<string, XNode>;
    padded = paddedSeen;
  } catch (e) {
    const message = (e as Error).message;
    // well-formed, but deeper than any invoice flux: the parser's guard against stack exhaustion
    if (/Maximum nested tags/i.test(message)) throw new FluxError('FLUX-MALFORMED', `The XML nests elements more than ${MAX_NESTING} levels deep, which no invoice flux does: refused before it is read.`);
    // the parser's guard against prototype pollution: well-formed, but a name no flux uses
    const reserved = /Invalid name: "([^"]+)" is a reserved/.exec(message);
    if (reserved) throw new FluxError('FLUX-MALFORMED', `The XML uses the name "${reserved[1]}", which no invoice flux does and which is refused for safety.`);
    throw new FluxError('FLUX-MALFORMED', `Malformed XML: ${message}`);
  }
  const roots = Object.keys(tree);
  if (roots.length === 1 && Array.isArray(tree[roots[0]])) {
    throw new FluxError('FLUX-MALFORMED', `Malformed XML: the document has ${(tree[roots[0]] as unknown as unknown[]).length} root elements ${roots[0]}; XML allows one.`);
  }
  if (roots.length !== 1) {
    throw new FluxError('FLUX-MALFORMED', roots.length === 0 ? 'The file holds no XML element.' : `Malformed XML: the document has ${roots.length} root elements (${roots.slice(0, 3).join(', ')}); XML allows one.`);
  }
  const contents = lifted.blobs.length > 0 ? new LiftedContents(lifted.token, lifted.blobs) : LiftedContents.NONE;
  return padded ? { tree, contents, asWritten: () => parserFor(readable, asWrittenPlainParser, asWrittenXmlEntitiesParser, asWrittenParser).parse(readable) as Record<string, XNode> } : { tree, contents };
}
