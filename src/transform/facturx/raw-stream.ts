/**
 * pdf-lib's raw stream, written into the file with one memory copy: `PDFStream.copyBytesInto`
 * copies the stream's bytes a byte at a time in JavaScript, which took 3 % of a Factur-X's
 * time (the embedded XML with its attachments, the font programs). The bytes written are the
 * same; the class is still a `PDFRawStream` for everything else in pdf-lib.
 */
import { PDFRawStream, type PDFContext, type PDFDict } from 'pdf-lib';

const STREAM = Buffer.from('\nstream\n', 'latin1');
const ENDSTREAM = Buffer.from('\nendstream', 'latin1');

// the constructor is private in pdf-lib's typings only (PDFRawStream.of calls it)
const RawStream = PDFRawStream as unknown as new (dict: PDFDict, contents: Uint8Array) => PDFRawStream;

class CopiedRawStream extends RawStream {
  override copyBytesInto(buffer: Uint8Array, offset: number): number {
    this.updateDict();
    const start = offset;
    offset += this.dict.copyBytesInto(buffer, offset);
    buffer.set(STREAM, offset);
    offset += STREAM.length;
    const contents = this.getContents();
    buffer.set(contents, offset);
    offset += contents.length;
    buffer.set(ENDSTREAM, offset);
    offset += ENDSTREAM.length;
    return offset - start;
  }
}

/** The dictionary literal `context.stream` takes. */
type StreamDict = NonNullable<Parameters<PDFContext['stream']>[1]>;

/** As `context.stream(contents, dict)`, for bytes. */
export function rawStream(ctx: PDFContext, contents: Uint8Array, dict: StreamDict = {}): PDFRawStream {
  return new CopiedRawStream(ctx.obj(dict), contents);
}

/** As `PDFRawStream.of(dict, contents)`. */
export function rawStreamOf(dict: PDFDict, contents: Uint8Array): PDFRawStream {
  return new CopiedRawStream(dict, contents);
}
