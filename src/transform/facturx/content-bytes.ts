/**
 * A page's content stream as it is written: its operators as Latin-1 bytes, one operator a
 * line, in a buffer that doubles when full.
 *
 * The layout kept each operator as a string until the page was written: strings built piece
 * by piece (a glyph code at a time) are trees of string fragments, which the garbage collector
 * copied at each young-generation collection for as long as the document was being laid out,
 * then joined and encoded once more. Bytes written as they come leave nothing behind.
 */
export class ContentBytes {
  // a page of the corpus writes 12 KB (median), 17 KB (third quartile), 25 KB at most: few grow
  private bytes = Buffer.allocUnsafe(16 * 1024);
  private length = 0;

  /** Starts an operator: a line break after the one before. */
  op(): void {
    if (this.length > 0) this.byte(0x0a);
  }

  /** Writes text of the operators (names, numbers, hex codes): all below U+0100. */
  write(s: string): void {
    const n = s.length;
    if (this.length + n > this.bytes.length) this.grow(n);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.length = at;
  }

  private byte(c: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = c;
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + n));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }

  /** The bytes written (a view, valid until the next write). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}
