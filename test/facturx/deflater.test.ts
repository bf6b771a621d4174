/**
 * The reused deflate stream must give exactly the bytes of a fresh one (deflateSync /
 * deflateRawSync with the same options), input after input, whatever the size: the PDFs
 * are compared byte for byte elsewhere, and the PDF readers inflate them.
 */
import { constants, deflateRawSync, deflateSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ReusableDeflater } from '../../src/transform/facturx/deflater';
import { pseudoRandomBytes } from '../helpers/pseudo-random';

const text = (n: number) => Buffer.from(Array.from({ length: Math.ceil(n / 40) }, (_, k) => `BT /F1 9 Tf ${k % 500} ${k % 800} Td <0041> Tj ET\n`).join('').slice(0, n), 'latin1');

const inputs: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['a few bytes', Buffer.from('%PDF')],
  ['a 3 KB content stream', text(3_000)],
  ['a 3 KB font-like binary', pseudoRandomBytes(3_000, 11)],
  ['300 KB incompressible (grows the output buffer)', pseudoRandomBytes(300_000, 12)],
  ['2 MB compressible text', text(2_000_000)],
];

describe('ReusableDeflater', () => {
  it.each([
    ['zlib, level 1, whole streams', 'zlib' as const, { level: 1 }, constants.Z_FINISH],
    ['raw, level 1, sync-flushed pieces', 'raw' as const, { level: 1 }, constants.Z_SYNC_FLUSH],
    ['raw, Huffman only, sync-flushed pieces', 'raw' as const, { level: 1, strategy: constants.Z_HUFFMAN_ONLY }, constants.Z_SYNC_FLUSH],
  ])('%s: the same bytes as a fresh stream, input after input', (_label, format, options, flush) => {
    const d = new ReusableDeflater(format, options, flush);
    const fresh = (b: Buffer) => (format === 'zlib' ? deflateSync(b, { ...options, finishFlush: flush }) : deflateRawSync(b, { ...options, finishFlush: flush }));
    // twice over, in an order that follows a big input with small ones (a reset must clear it all)
    for (const [label, input] of [...inputs, ...inputs.slice().reverse()]) {
      const got = d.deflate(input);
      expect({ label, same: got.equals(fresh(input)) }).toEqual({ label, same: true });
      const back = format === 'zlib' ? inflateSync(got) : inflateRawSync(got, { finishFlush: constants.Z_SYNC_FLUSH });
      expect(back.equals(input)).toBe(true);
    }
  });

  it('reuses its stream on this Node (a silent fallback would only be slower)', () => {
    const d = new ReusableDeflater('zlib', { level: 1 });
    const stream = (d as unknown as { stream: object }).stream;
    for (const [, input] of inputs) d.deflate(input);
    expect((d as unknown as { usable: boolean }).usable).toBe(true);
    expect((d as unknown as { stream: object }).stream).toBe(stream);
  });

  it('falls back to deflateSync when the stream has no native handle to reuse', () => {
    const d = new ReusableDeflater('zlib', { level: 1 });
    // as on a Node whose zlib streams are shaped otherwise
    (d as unknown as { stream: { _handle: unknown } }).stream._handle = null;
    const input = text(10_000);
    expect(d.deflate(input).equals(deflateSync(input, { level: 1 }))).toBe(true);
    expect(d.deflate(input).equals(deflateSync(input, { level: 1 }))).toBe(true);
  });
});
