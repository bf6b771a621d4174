/**
 * Large texts that never need escaping kept out of xmlbuilder2: the document is built with a
 * short marker in their place and they are put back into the serialized text in one pass,
 * instead of xmlbuilder2 checking and escaping megabytes character by character. Bytes to be
 * written as base64 are held as bytes: the writer encodes them a slice at a time.
 */
import { base64Slices, partByteLength, type Base64Part } from '../emit/atomic-write';

/** Below this, a text goes through xmlbuilder2 like any other. */
const RAW_MIN = 4096;
const MARK = '\u2063'; // INVISIBLE SEPARATOR: a valid XML character no input value carries here
const MARKER_RE = /\u2063cf-raw-(\d+)\u2063/g;

/** The text of consecutive pieces, bytes as their base64. */
export function joinParts(parts: readonly (string | Base64Part)[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : Buffer.from(p.base64Of.buffer, p.base64Of.byteOffset, p.base64Of.byteLength).toString('base64'))).join('');
}

/**
 * The UTF-8 bytes of consecutive pieces, bytes written as their base64 a slice at a time
 * straight into the result: no string of the whole document is made.
 */
export function bytesOfParts(parts: readonly (string | Base64Part)[]): Buffer {
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + partByteLength(p), 0));
  let at = 0;
  for (const p of parts) {
    if (typeof p === 'string') {
      at += out.write(p, at, 'utf8');
      continue;
    }
    for (const text of base64Slices(p.base64Of)) at += out.write(text, at, 'latin1');
  }
  return at === out.length ? out : out.subarray(0, at);
}

export class RawTexts {
  private readonly held: (string | Base64Part)[] = [];

  private marker(x: string | Base64Part): string {
    this.held.push(x);
    return `${MARK}cf-raw-${this.held.length - 1}${MARK}`;
  }

  /** What to give xmlbuilder2 for `text` (no escaping needed): the text itself when short, else a marker. */
  hold(text: string): string {
    return text.length < RAW_MIN ? text : this.marker(text);
  }

  /** What to give xmlbuilder2 for the base64 of `bytes`: the text when short, else a marker. */
  holdBase64(bytes: Uint8Array): string {
    if (bytes.byteLength < (RAW_MIN * 3) / 4) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return this.marker({ base64Of: bytes });
  }

  /**
   * The same as consecutive pieces, the held texts and bytes as they are: written with
   * writev, a flow of attachments is never copied into one big string.
   */
  restoreParts(xml: string): (string | Base64Part)[] {
    if (this.held.length === 0) return [xml];
    const parts: (string | Base64Part)[] = [];
    let last = 0;
    for (const m of xml.matchAll(MARKER_RE)) {
      parts.push(xml.slice(last, m.index), this.held[Number(m[1])]);
      last = (m.index as number) + m[0].length;
    }
    parts.push(xml.slice(last));
    return parts;
  }
}
