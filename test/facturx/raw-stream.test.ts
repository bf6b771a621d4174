/**
 * The raw stream written with one memory copy must put in the file exactly what pdf-lib's own
 * raw stream puts there (the Factur-X PDFs are compared byte for byte across versions).
 */
import { PDFDocument } from 'pdf-lib';
import { rawStream } from '../../src/transform/facturx/raw-stream';
import { pseudoRandomBytes } from '../helpers/pseudo-random';

describe('rawStream', () => {
  it.each([
    ['empty', Buffer.alloc(0), {}],
    ['binary bytes with a dictionary', pseudoRandomBytes(70_000, 3), { Filter: 'FlateDecode', N: 3 }],
    ['text', Buffer.from('<?xml version="1.0"?>\n<a>é</a>', 'utf8'), { Type: 'Metadata', Subtype: 'XML' }],
  ])('%s: the bytes and the size of pdf-lib’s raw stream', async (_label, contents, dict) => {
    const doc = await PDFDocument.create();
    const ours = rawStream(doc.context, contents, dict);
    const theirs = doc.context.stream(contents, dict);
    expect(ours.sizeInBytes()).toBe(theirs.sizeInBytes());
    const a = new Uint8Array(ours.sizeInBytes() + 8);
    const b = new Uint8Array(theirs.sizeInBytes() + 8);
    expect(ours.copyBytesInto(a, 5)).toBe(theirs.copyBytesInto(b, 5));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).includes(Buffer.from('\nendstream'))).toBe(true);
  });
});
