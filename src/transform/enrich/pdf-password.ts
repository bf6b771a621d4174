/**
 * Whether a PDF needs a password to be opened (ISO 32000-2 §7.6.4, the standard security
 * handler). An encrypted PDF with an empty user password — "protected" against printing or
 * copying by an owner password only — opens in every viewer; one with a user password opens
 * for nobody but who knows it: the finance system that receives it as an E2's invoice document
 * cannot read the invoice. The empty user password is tried as a reader does (algorithms 6 and
 * 11 for revisions 2–4, 2.A/2.B for 5–6); nothing is decrypted.
 *
 * A PDF whose encryption dictionary cannot be read here is not said to need a password: only
 * what is known is refused.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** The padding string of algorithm 2 (ISO 32000-1 §7.6.3.3). */
const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
    out[k] = data[k] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

/** A PDF string at `at` (literal, with its escapes, or hexadecimal), or undefined. */
function pdfString(text: string, at: number): Buffer | undefined {
  let i = at;
  while (/\s/.test(text[i] ?? '')) i++;
  if (text[i] === '<') {
    const end = text.indexOf('>', i);
    if (end < 0) return undefined;
    const hex = text.slice(i + 1, end).replace(/\s+/g, '');
    return /^[0-9a-fA-F]*$/.test(hex) ? Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex') : undefined;
  }
  if (text[i] !== '(') return undefined;
  const bytes: number[] = [];
  const ESC: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };
  for (let depth = 0, k = i + 1; k < text.length; k++) {
    const c = text[k];
    if (c === '\\') {
      const n = text[++k];
      if (n === undefined) return undefined;
      if (n in ESC) bytes.push(ESC[n]);
      else if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(text.slice(k, k + 3))![0];
        bytes.push(parseInt(oct, 8) & 255);
        k += oct.length - 1;
      } else if (n === '\r') {
        if (text[k + 1] === '\n') k++;
      } else if (n !== '\n') bytes.push(n.charCodeAt(0));
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && depth-- === 0) return Buffer.from(bytes);
    bytes.push(c.charCodeAt(0));
  }
  return undefined;
}

interface Security {
  r: number;
  v: number;
  o: Buffer;
  u: Buffer;
  p: number;
  length?: number;
  encryptMetadata: boolean;
  id0: Buffer;
}

/** The standard security handler's entries of the PDF's last trailer, or undefined. */
function securityOf(text: string): Security | undefined {
  const at = text.lastIndexOf('/Encrypt');
  if (at < 0) return undefined;
  let dict: string;
  const ref = /^\/Encrypt\s*(\d+)\s+(\d+)\s+R/.exec(text.slice(at, at + 40));
  if (ref) {
    const objs = [...text.matchAll(new RegExp(`(?<![0-9])${ref[1]}\\s+${ref[2]}\\s+obj\\b`, 'g'))];
    const start = objs.pop()?.index;
    if (start === undefined) return undefined;
    const end = text.indexOf('endobj', start);
    dict = text.slice(start, end < 0 ? start + 4096 : end);
  } else if (/^\/Encrypt\s*<</.test(text.slice(at, at + 20))) dict = text.slice(at, at + 4096);
  else return undefined;
  if (!/\/Filter\s*\/Standard\b/.test(dict)) return undefined;
  const num = (key: string) => {
    const m = new RegExp(`/${key}\\s+(-?\\d+)`).exec(dict);
    return m ? Number(m[1]) : undefined;
  };
  const str = (key: string) => {
    const m = new RegExp(`/${key}\\s*[(<]`).exec(dict);
    return m ? pdfString(dict, m.index + key.length + 1) : undefined;
  };
  const r = num('R');
  const p = num('P');
  const o = str('O');
  const u = str('U');
  if (r === undefined || p === undefined || !o || !u) return undefined;
  const id = /\/ID\s*\[/.exec(text.slice(text.lastIndexOf('/ID')));
  const id0 = id ? pdfString(text, text.lastIndexOf('/ID') + id[0].length) : undefined;
  return { r, v: num('V') ?? 0, o, u, p, length: num('Length'), encryptMetadata: !/\/EncryptMetadata\s+false/.test(dict), id0: id0 ?? Buffer.alloc(0) };
}

/** Algorithm 2.B (ISO 32000-2): the hash of revision 6, for the empty user password. */
function hash2B(salt: Buffer): Buffer {
  let k = createHash('sha256').update(salt).digest();
  for (let round = 0; ; round++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => k.subarray(0, k.length)));
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32)).setAutoPadding(false);
    const e = Buffer.concat([cipher.update(k1), cipher.final()]);
    let mod = 0;
    for (let i = 0; i < 16; i++) mod += e[i];
    k = createHash(['sha256', 'sha384', 'sha512'][mod % 3]).update(e).digest();
    if (round >= 63 && e[e.length - 1] <= round + 1 - 32) return k.subarray(0, 32);
  }
}

function opensWithEmptyPassword(s: Security): boolean | undefined {
  if (s.r === 5) return createHash('sha256').update(s.u.subarray(32, 40)).digest().equals(s.u.subarray(0, 32));
  if (s.r === 6) return s.u.length >= 40 ? hash2B(s.u.subarray(32, 40)).equals(s.u.subarray(0, 32)) : undefined;
  if (s.r < 2 || s.r > 4) return undefined;
  const p = Buffer.alloc(4);
  p.writeInt32LE(s.p | 0);
  const n = s.r === 2 ? 5 : s.v >= 4 ? 16 : Math.max(5, Math.min(16, Math.floor((s.length ?? 40) / 8)));
  let key = md5(PAD, s.o.subarray(0, 32), p, s.id0, s.r >= 4 && !s.encryptMetadata ? Buffer.from([255, 255, 255, 255]) : Buffer.alloc(0)).subarray(0, n);
  if (s.r === 2) return rc4(key, PAD).equals(s.u.subarray(0, 32));
  for (let i = 0; i < 50; i++) key = md5(key).subarray(0, n);
  let x = rc4(key, md5(PAD, s.id0));
  for (let i = 1; i <= 19; i++) x = rc4(Buffer.from(key.map((b) => b ^ i)), x);
  return x.equals(s.u.subarray(0, 16));
}

/** True when the PDF is encrypted with a user password: it opens for nobody without it. */
export function needsPassword(pdf: Uint8Array): boolean {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length);
  if (bytes.lastIndexOf('/Encrypt') < 0) return false;
  const security = securityOf(bytes.toString('latin1'));
  return security !== undefined && opensWithEmptyPassword(security) === false;
}
