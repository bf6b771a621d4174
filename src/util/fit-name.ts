/**
 * File names within the file system's limit. Linux file systems take at most 255 bytes per
 * name (NAME_MAX), counted in UTF-8: a partner's name of 125 accented letters fits in its
 * inbox, but not once a claim id, a content hash, `.reason.json` or a temp-file suffix is
 * added to it. Names built from a partner's name are cut to a byte budget here, keeping their
 * extension, on a character boundary.
 */

/** Bytes a single name may hold (ext4, xfs, btrfs, tmpfs: 255). */
export const NAME_MAX_BYTES = 255;

/** Longest extension kept whole when a name is cut (`.xml`, `.pdf`, `.xhtml`…). */
const MAX_EXTENSION_BYTES = 16;

/** The longest prefix of `s` that is at most `max` bytes in UTF-8, never splitting a character. */
export function utf8Prefix(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    bytes += n;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** `name` when it is at most `maxBytes` in UTF-8, else its stem cut to fit before its extension. */
export function fitName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot) : '';
  if (ext && Buffer.byteLength(ext) <= MAX_EXTENSION_BYTES && Buffer.byteLength(ext) < maxBytes) return utf8Prefix(name.slice(0, dot), maxBytes - Buffer.byteLength(ext)) + ext;
  return utf8Prefix(name, maxBytes);
}
