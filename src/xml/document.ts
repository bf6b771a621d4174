/**
 * XML text → a tree of plain objects, namespace prefixes removed, with the checks a
 * hostile flux needs first: no DTD (no entity expansion, no external fetch), one root,
 * only the predefined entities, well-formed.
 */
import { XMLParser } from 'fast-xml-parser';
import { FluxError } from '../model/flux-error';
import type { XNode } from './nodes';
import { checkWellFormed } from './well-formed';

export interface RootInfo {
  /** local name of the root element */
  localName: string;
  /** namespace URI of the root element ('' when none) */
  namespace: string;
}

const BASE_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false as const,
  // no path tracking: we never use stop nodes or path callbacks, and it halves the parse time
  jPath: false,
};

// decodes numeric character references (&#233;); named HTML entities are refused below
const parser = new XMLParser({ ...BASE_OPTIONS, processEntities: true, htmlEntities: true });

/** Same tree, for the usual document with no "&" at all: no entity pass over every value. */
const plainParser = new XMLParser({ ...BASE_OPTIONS, processEntities: false, htmlEntities: false });

const BAD_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
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
 * are most of the bytes of a flux with attachments, and base64 needs no XML processing: they
 * are lifted out before the character-by-character XML checks and put back in the tree after
 * (as slices of the original text, no copy). An error found in the lifted text is located
 * again in the original, so line numbers stay right.
 */
const BLOB_ELEMENTS = ['EmbeddedDocumentBinaryObject>', 'AttachmentBinaryObject>', 'Contenu>'];
const BLOB_MIN = 2048;
let blobNonce = 0;

/** Start of the tag name (after "<" and an optional prefix) that ends at `nameEnd`. */
function openTagStart(text: string, nameEnd: number, name: string): number {
  let i = nameEnd - name.length;
  // optional prefix "p:"
  if (text[i - 1] === ':') {
    i--;
    while (i > 0 && /[\w.-]/.test(text[i - 1])) i--;
  }
  return text[i - 1] === '<' ? i - 1 : -1;
}

function liftBlobs(text: string): { text: string; blobs: string[]; token: string } {
  const blobs: string[] = [];
  const token = `cfblob${(blobNonce++ % 1e9).toString(36)}x${Math.random().toString(36).slice(2, 8)}n`;
  if (text.length < 4096) return { text, blobs, token };
  // indexOf (a native scan) finds the few candidate elements; a blob is any long run of
  // character data with no "<" and no "&" (base64 has neither)
  const cuts: [number, number][] = [];
  // the first "&" at or after a position, searched again only when passed: one scan of the
  // text per element name at most, not one per blob to the end of the text
  let ampSearchedFrom = Infinity;
  let amp = -1;
  const ampFrom = (from: number): number => {
    if (from < ampSearchedFrom || (amp >= 0 && amp < from)) {
      amp = text.indexOf('&', from);
      ampSearchedFrom = from;
    }
    return amp;
  };
  for (const el of BLOB_ELEMENTS) {
    const name = el.slice(0, -1);
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
      const tagStart = openTagStart(text, at + name.length, name);
      if (tagStart < 0) continue; // a closing tag or a longer name
      const next = text[at + name.length];
      if (next !== '>' && next !== ' ' && next !== '\t' && next !== '\n' && next !== '\r') continue;
      const gt = text.indexOf('>', at);
      if (gt < 0 || text[gt - 1] === '/') continue;
      const lt = text.indexOf('<', gt + 1);
      if (lt < 0 || lt - gt - 1 < BLOB_MIN) continue;
      const a = ampFrom(gt + 1);
      if (a >= 0 && a < lt) continue;
      cuts.push([gt + 1, lt]);
    }
  }
  if (cuts.length === 0) return { text, blobs, token };
  cuts.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let last = 0;
  for (const [from, to] of cuts) {
    parts.push(text.slice(last, from), `${token}${blobs.push(text.slice(from, to)) - 1}`);
    last = to;
  }
  parts.push(text.slice(last));
  return { text: parts.join(''), blobs, token };
}

function restoreBlobs(node: unknown, token: string, blobs: string[]): unknown {
  if (typeof node === 'string') {
    if (node.startsWith(token)) {
      const k = Number(node.slice(token.length));
      if (Number.isInteger(k) && blobs[k] !== undefined) return blobs[k].trim();
    }
    return node;
  }
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = restoreBlobs(node[i], token, blobs);
    return node;
  }
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const key of Object.keys(o)) if (key[0] !== '@') o[key] = restoreBlobs(o[key], token, blobs);
  }
  return node;
}

/** Full, strict parse. Throws FluxError (never anything else) on bad input. */
export function parseXml(original: string): Record<string, XNode> {
  const lifted = liftBlobs(original);
  const text = lifted.text;
  if (DTD.test(text)) {
    throw new FluxError('FLUX-DTD', 'The file contains a DTD or entity declaration (<!DOCTYPE or <!ENTITY); it is refused before any expansion.');
  }
  const bad = BAD_ENTITY.exec(text);
  if (bad) {
    throw new FluxError('FLUX-MALFORMED', `Malformed XML: "&" at line ${lineAt(text, bad.index)} does not start a predefined entity or a character reference.`, undefined, lineAt(text, bad.index));
  }
  let problem = checkWellFormed(text);
  if (problem && lifted.blobs.length > 0) problem = checkWellFormed(original) ?? problem;
  if (problem) {
    const line = lineAt(lifted.blobs.length > 0 ? original : text, problem.index);
    throw new FluxError('FLUX-MALFORMED', `Malformed XML at line ${line}: ${problem.message}.`, undefined, line);
  }
  let tree: Record<string, XNode>;
  try {
    tree = (text.includes('&') ? parser : plainParser).parse(text) as Record<string, XNode>;
  } catch (e) {
    throw new FluxError('FLUX-MALFORMED', `Malformed XML: ${(e as Error).message}`);
  }
  const roots = Object.keys(tree);
  if (roots.length === 1 && Array.isArray(tree[roots[0]])) {
    throw new FluxError('FLUX-MALFORMED', `Malformed XML: the document has ${(tree[roots[0]] as unknown as unknown[]).length} root elements ${roots[0]}; XML allows one.`);
  }
  if (roots.length !== 1) {
    throw new FluxError('FLUX-MALFORMED', roots.length === 0 ? 'The file holds no XML element.' : `Malformed XML: the document has ${roots.length} root elements (${roots.slice(0, 3).join(', ')}); XML allows one.`);
  }
  if (lifted.blobs.length > 0) restoreBlobs(tree, lifted.token, lifted.blobs);
  return tree;
}
