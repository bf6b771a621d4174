/**
 * A zlib deflate stream kept for the life of the thread and reset between inputs, instead of
 * a new one per call (`deflateSync` creates a stream, allocates and clears its window and hash
 * tables, then frees them). A Factur-X has about six small streams (two font programs of
 * ~3 KB, two ToUnicode maps, the page contents, the XML). Reuse took zlib's time in a
 * one-thread pipeline run from 5.6 to 4.6 s; the rest is compressing (glyph data deflates at
 * only ~55 MB/s at level 1).
 *
 * Node has no public synchronous API that keeps a stream open (`deflateSync` and
 * `_processChunk` close it at the end), so this drives the stream's native handle the way
 * Node's own `processChunkSync` does (`_handle.writeSync`, `_writeState`, `_handle.reset`).
 * When that shape is not there (another Node) or anything fails, it falls back to
 * `deflateSync` / `deflateRawSync`: the same bytes, a little slower. Tests compare the two.
 */
import { types } from 'node:util';
import zlib, { constants, deflateRawSync, deflateSync, type ZlibOptions } from 'node:zlib';

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
}

interface StreamInternals {
  _handle?: NativeHandle | null;
  _writeState?: Uint32Array;
  destroyed?: boolean;
}

export type DeflateFormat = 'zlib' | 'raw';

export class ReusableDeflater {
  private stream: (zlib.Deflate | zlib.DeflateRaw) & StreamInternals;
  private usable: boolean;

  /**
   * @param format 'zlib' (header and Adler-32, a PDF FlateDecode stream) or 'raw'.
   * @param options level, strategy… as for `deflateSync`.
   * @param flush how each input ends: Z_FINISH (a whole stream, the default) or Z_SYNC_FLUSH
   *   (a piece to be joined with others, see flateText).
   */
  constructor(
    readonly format: DeflateFormat,
    private readonly options: ZlibOptions,
    private readonly flush: number = constants.Z_FINISH,
  ) {
    this.stream = (format === 'zlib' ? zlib.createDeflate(options) : zlib.createDeflateRaw(options)) as (zlib.Deflate | zlib.DeflateRaw) & StreamInternals;
    // (util.types rather than instanceof: the stream's arrays may come from another realm, as under jest)
    this.usable = typeof this.stream._handle?.writeSync === 'function' && typeof this.stream._handle?.reset === 'function' && types.isUint32Array(this.stream._writeState);
    // an error of the native stream (out of memory) destroys it; the fallback takes over
    this.stream.on('error', () => {
      this.usable = false;
    });
  }

  /** The compressed bytes of `input`, exactly what deflateSync (or deflateRawSync) gives with the same options. */
  deflate(input: Uint8Array): Buffer {
    if (this.usable) {
      try {
        const out = this.run(input);
        if (out) return out;
      } catch {
        /* the fallback below */
      }
      this.usable = false;
    }
    const opts = { ...this.options, finishFlush: this.flush };
    return this.format === 'zlib' ? deflateSync(input, opts) : deflateRawSync(input, opts);
  }

  private run(input: Uint8Array): Buffer | undefined {
    const handle = this.stream._handle as NativeHandle;
    const state = this.stream._writeState as Uint32Array;
    const n = input.byteLength;
    // room for incompressible input (stored blocks add 5 bytes per 64 KiB) in one go, usually
    let out = Buffer.allocUnsafe(n + (n >> 3) + 64);
    let outOff = 0;
    let inOff = 0;
    let inLeft = n;
    for (;;) {
      const room = out.length - outOff;
      handle.writeSync(this.flush, input, inOff, inLeft, out, outOff, room);
      if (this.stream.destroyed || !this.usable) return undefined;
      const outLeft = state[0];
      const inAfter = state[1];
      outOff += room - outLeft;
      inOff += inLeft - inAfter;
      inLeft = inAfter;
      if (outLeft !== 0) break; // the flush completed: zlib stops only when it has no more to write
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger, 0, 0, outOff);
      out = bigger;
    }
    handle.reset();
    return out.subarray(0, outOff);
  }
}
