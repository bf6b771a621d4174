/**
 * Bytes → XML text: byte-order marks, the declared encoding, and strict UTF-8.
 * A file that is not text in its declared encoding is refused, never guessed.
 */
import { FluxError } from '../model/flux-error';

const SUPPORTED: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-15': 'iso-8859-15',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

export interface DecodedText {
  text: string;
  /** the encoding actually used, normalised */
  encoding: string;
}

/** Reads the `encoding="…"` pseudo-attribute of an XML declaration, if any. */
export function declaredEncoding(head: string): string | undefined {
  const m = /^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return m ? m[1].toLowerCase() : undefined;
}

export function decodeXmlBytes(bytes: Uint8Array): DecodedText {
  let start = 0;
  let bomEncoding: string | undefined;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    start = 3;
    bomEncoding = 'utf-8';
  } else if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    start = 2;
    bomEncoding = 'utf-16le';
  } else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    start = 2;
    bomEncoding = 'utf-16be';
  }
  const body = bytes.subarray(start);
  let encoding = bomEncoding;
  if (!encoding) {
    // The declaration is ASCII-compatible in every encoding we accept without a BOM.
    const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
    const declared = declaredEncoding(head);
    if (declared !== undefined) {
      encoding = SUPPORTED[declared];
      if (!encoding) {
        throw new FluxError('FLUX-ENCODING', `The XML declaration names the encoding "${declared}", which is not supported (use UTF-8 or ISO-8859-1).`);
      }
    } else {
      encoding = 'utf-8';
    }
  }
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(body);
    return { text, encoding };
  } catch {
    throw new FluxError('FLUX-ENCODING', `The file is not valid ${encoding.toUpperCase()} text: it holds byte sequences that cannot be decoded.`);
  }
}
