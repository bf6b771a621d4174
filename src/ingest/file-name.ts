/**
 * File names that are not UTF-8.
 *
 * Node reads directory entries as UTF-8 strings: a name written by a client in another
 * encoding (a Windows SFTP client sending `facture_été.xml` in CP1252, byte E9 for é) comes
 * back with U+FFFD in place of its bad bytes, and no file has that name, so every stat or read
 * of it fails. Such a file would be left in its inbox for ever. The inbox scan reads names as
 * bytes instead: a name that is not UTF-8 gets a readable form, its valid UTF-8 kept and each
 * bad byte written `%XX` (no guess at the client's encoding), which is the name the file goes
 * by from then on (logs, journal, archive/ and error/); the file itself is read through its
 * raw bytes until it is claimed or copied.
 */

/** Length of the valid UTF-8 sequence starting at `i`, or 0 (RFC 3629: no overlongs, no surrogates). */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // beyond U+10FFFF
    return 4;
  }
  return 0;
}

export function isUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; ) {
    const n = sequenceAt(b, i);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** A name's readable form: itself when it is UTF-8, else its valid UTF-8 with every other byte as `%XX`. */
export function readableName(b: Uint8Array): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < b.length; ) {
    const n = sequenceAt(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += Buffer.from(b.subarray(start, i)).toString('utf8') + `%${b[i].toString(16).toUpperCase().padStart(2, '0')}`;
    i += 1;
    start = i;
  }
  return out + Buffer.from(b.subarray(start)).toString('utf8');
}
