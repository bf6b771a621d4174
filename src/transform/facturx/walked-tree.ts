/**
 * The tree a generated CII reads back as, made from the walked elements instead of parsing
 * the serialized XML again: the same object tree `readXml` gives for those bytes (prefixes
 * removed, attributes as "@name", line ends read as XML reads them, values without XML white
 * space at their ends, one child an
 * object and several an array), BT-125 contents held as bytes. The EN 16931 check of a
 * Factur-X's CII (cii-rules.ts) reads it: parsing the XML took three quarters of that check.
 * A test holds it equal to the parsed tree over the official examples and a generated corpus.
 */
import { decodeBase64Strict, type Base64Result } from '../../util/base64';
import { LiftedContents } from '../../xml/document';
import type { XNode } from '../../xml/nodes';
import { xmlTrim } from '../../xml/xml-space';

/** One walked element: prefixed name, attributes, text (or bytes written as base64), children. */
export interface WalkedElement {
  n: string;
  a?: Record<string, string>;
  t?: string | Uint8Array;
  c?: WalkedElement[];
}

const MARK = '\u2063cf-held-';

/** BT-125 contents as the bytes the model held: nothing to decode. */
class HeldContents extends LiftedContents {
  constructor(private readonly held: readonly Uint8Array[]) {
    super('', []);
  }

  override bytesOf(): undefined {
    return undefined;
  }

  override decode(text: string): Base64Result {
    if (!text.startsWith(MARK)) return decodeBase64Strict(text);
    const b = this.held[Number(text.slice(MARK.length))];
    return { ok: true, bytes: Buffer.from(b.buffer, b.byteOffset, b.byteLength) };
  }
}

/** The names without their prefix, for the few dozen element and attribute names of the CII (a slice each time was garbage per element). */
const localNames = new Map<string, string>();

function localName(name: string): string {
  let l = localNames.get(name);
  if (l === undefined) {
    l = name.slice(name.indexOf(':') + 1);
    if (localNames.size < 1024) localNames.set(name, l);
  }
  return l;
}

/**
 * A value as a reader gets it back: xmlbuilder2 writes a carriage return as it is, and an XML
 * reader takes a raw CR or CRLF for a line feed (XML 1.0 §2.11); then the ends trimmed.
 */
function readBack(v: string): string {
  return xmlTrim(v.includes('\r') ? v.replace(/\r\n?/g, '\n') : v);
}

function nodeOf(e: WalkedElement, held: Uint8Array[]): XNode {
  const attrs = e.a;
  if (e.c !== undefined && e.c.length > 0) {
    const out: Record<string, XNode | XNode[] | string> = {};
    for (const c of e.c) addChild(out, localName(c.n), nodeOf(c, held));
    if (attrs) for (const k in attrs) out['@' + localName(k)] = readBack(attrs[k]);
    return out;
  }
  let text = '';
  if (typeof e.t === 'string') text = readBack(e.t);
  else if (e.t !== undefined) text = e.t.byteLength === 0 ? '' : `${MARK}${held.push(e.t) - 1}`;
  if (!attrs) return text;
  const out: Record<string, string> = {};
  if (text !== '') out['#text'] = text;
  for (const k in attrs) out['@' + localName(k)] = readBack(attrs[k]);
  return out;
}

function addChild(out: Record<string, XNode | XNode[] | string>, name: string, node: XNode): void {
  const had = out[name];
  if (had === undefined) out[name] = node;
  else if (Array.isArray(had)) had.push(node);
  else out[name] = [had, node];
}

/** The read-back tree of a root element and its walked children, with its contents. */
export function walkedTree(root: string, body: readonly WalkedElement[]): { node: XNode; contents: LiftedContents } {
  const held: Uint8Array[] = [];
  const node = nodeOf({ n: root, c: [...body] }, held);
  return { node, contents: held.length > 0 ? new HeldContents(held) : LiftedContents.NONE };
}
