/**
 * A TrueType subsetter for pdf-lib's font embedding, built for speed on a font used by every
 * document: the font's tables are read once; a subset copies the raw glyph outlines it needs
 * (composite glyphs pull in their components, renumbered) and the metrics. fontkit's
 * TTFSubset decodes and re-encodes every table (cvt/fpgm/prep number by number) for each
 * document.
 *
 * The hinting is left out: the glyphs' TrueType instructions (a third to 44 % of DejaVu's
 * glyph bytes) and the cvt, fpgm and prep tables. Hinting fits outlines to screen pixels at
 * small sizes; PDF viewers scale and anti-alias outlines themselves, PDF/A asks only for the
 * outlines and metrics of the glyphs used, and the smaller programs are deflated faster and
 * make smaller PDFs.
 *
 * It implements what pdf-lib's CustomFontSubsetEmbedder uses of a fontkit Subset:
 * `includeGlyph(glyph | id) → new id`, `cff` (false) and `encodeStream()`.
 */

interface TableRecord {
  offset: number;
  length: number;
}

interface Glyph {
  /** raw glyf outline without instructions; components renumbered when `copy` is used */
  bytes: Uint8Array;
  /** byte positions of component glyph ids (composite glyphs) and the ids found there */
  components: { pos: number; gid: number }[];
}

const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

function checksum(b: Uint8Array): number {
  let sum = 0;
  const n = b.length;
  for (let i = 0; i < n; i += 4) {
    const v = ((b[i] << 24) | ((i + 1 < n ? b[i + 1] : 0) << 16) | ((i + 2 < n ? b[i + 2] : 0) << 8) | (i + 3 < n ? b[i + 3] : 0)) >>> 0;
    sum = (sum + v) >>> 0;
  }
  return sum;
}

/** The parsed parts of one TrueType font, shared by all its subsets. */
export class TrueTypeSource {
  private readonly view: DataView;
  private readonly tables = new Map<string, TableRecord>();
  private readonly locaOffsets: number[] = [];
  private readonly glyphs = new Map<number, Glyph>();
  readonly numGlyphs: number;
  private readonly numberOfHMetrics: number;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const count = this.view.getUint16(4);
    for (let i = 0; i < count; i++) {
      const r = 12 + i * 16;
      const tag = String.fromCharCode(data[r], data[r + 1], data[r + 2], data[r + 3]);
      this.tables.set(tag, { offset: this.view.getUint32(r + 8), length: this.view.getUint32(r + 12) });
    }
    const head = this.table('head');
    const longLoca = this.view.getInt16(head.offset + 50) === 1;
    const maxp = this.table('maxp');
    this.numGlyphs = this.view.getUint16(maxp.offset + 4);
    const loca = this.table('loca');
    for (let g = 0; g <= this.numGlyphs; g++) {
      this.locaOffsets.push(longLoca ? this.view.getUint32(loca.offset + g * 4) : this.view.getUint16(loca.offset + g * 2) * 2);
    }
    this.numberOfHMetrics = this.view.getUint16(this.table('hhea').offset + 34);
  }

  private table(tag: string): TableRecord {
    const t = this.tables.get(tag);
    if (!t) throw new Error(`TrueType font without a ${tag} table`);
    return t;
  }

  slice(tag: string): Uint8Array {
    const t = this.table(tag);
    return this.data.subarray(t.offset, t.offset + t.length);
  }

  glyph(gid: number): Glyph {
    let g = this.glyphs.get(gid);
    if (g) return g;
    const glyf = this.table('glyf').offset;
    const start = this.locaOffsets[gid];
    const end = this.locaOffsets[gid + 1];
    let bytes = this.data.subarray(glyf + start, glyf + end);
    const components: { pos: number; gid: number }[] = [];
    const contours = bytes.length >= 10 ? this.view.getInt16(glyf + start) : 0;
    if (contours < 0) {
      let p = 10;
      let flags: number;
      let flagsAt: number;
      for (;;) {
        flagsAt = p;
        flags = (bytes[p] << 8) | bytes[p + 1];
        components.push({ pos: p + 2, gid: (bytes[p + 2] << 8) | bytes[p + 3] });
        p += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
        if (flags & WE_HAVE_A_SCALE) p += 2;
        else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) p += 4;
        else if (flags & WE_HAVE_A_TWO_BY_TWO) p += 8;
        if (!(flags & MORE_COMPONENTS)) break;
      }
      if (flags & WE_HAVE_INSTRUCTIONS) {
        // the instructions follow the last component: cut them and clear its flag
        bytes = bytes.slice(0, p);
        bytes[flagsAt] &= ~(WE_HAVE_INSTRUCTIONS >> 8);
      }
    } else if (bytes.length >= 12) {
      // simple glyph: header, endPtsOfContours, instructionLength, instructions, outline
      const at = 10 + 2 * contours;
      const length = (bytes[at] << 8) | bytes[at + 1];
      if (length > 0) {
        const out = new Uint8Array(bytes.length - length);
        out.set(bytes.subarray(0, at));
        out.set(bytes.subarray(at + 2 + length), at + 2); // instructionLength stays 0
        bytes = out;
      }
    }
    g = { bytes, components };
    this.glyphs.set(gid, g);
    return g;
  }

  /** advance width and left side bearing of a glyph (hmtx) */
  metrics(gid: number): [number, number] {
    const hmtx = this.table('hmtx').offset;
    const n = this.numberOfHMetrics;
    if (gid < n) return [this.view.getUint16(hmtx + gid * 4), this.view.getInt16(hmtx + gid * 4 + 2)];
    return [this.view.getUint16(hmtx + (n - 1) * 4), this.view.getInt16(hmtx + n * 4 + (gid - n) * 2)];
  }

  createSubset(): FastTrueTypeSubset {
    return new FastTrueTypeSubset(this);
  }
}

/** One document's subset. Glyph 0 (.notdef) is always first, as in fontkit. */
export class FastTrueTypeSubset {
  readonly cff = false;
  private readonly glyphs: number[] = [];
  private readonly mapping = new Map<number, number>();

  constructor(private readonly source: TrueTypeSource) {
    this.includeGlyph(0);
  }

  includeGlyph(glyph: number | { id: number }): number {
    const gid = typeof glyph === 'number' ? glyph : glyph.id;
    let k = this.mapping.get(gid);
    if (k === undefined) {
      k = this.glyphs.length;
      this.glyphs.push(gid);
      this.mapping.set(gid, k);
    }
    return k;
  }

  /** The subset font program (tables: glyf head hhea hmtx loca maxp). */
  encode(): Uint8Array {
    const src = this.source;
    const programs: Uint8Array[] = [];
    // composite glyphs add their components while the list is walked
    for (let i = 0; i < this.glyphs.length; i++) {
      const g = src.glyph(this.glyphs[i]);
      if (g.components.length === 0) {
        programs.push(g.bytes);
        continue;
      }
      const copy = new Uint8Array(g.bytes);
      for (const c of g.components) {
        const k = this.includeGlyph(c.gid);
        copy[c.pos] = k >> 8;
        copy[c.pos + 1] = k & 0xff;
      }
      programs.push(copy);
    }
    const n = programs.length;
    let glyfLength = 0;
    for (const p of programs) glyfLength += (p.length + 3) & ~3;
    const glyf = new Uint8Array(glyfLength);
    const loca = new Uint8Array((n + 1) * 4);
    const locaView = new DataView(loca.buffer);
    let off = 0;
    programs.forEach((p, k) => {
      locaView.setUint32(k * 4, off);
      glyf.set(p, off);
      off += (p.length + 3) & ~3;
    });
    locaView.setUint32(n * 4, off);
    const hmtx = new Uint8Array(n * 4);
    const hmtxView = new DataView(hmtx.buffer);
    for (let k = 0; k < n; k++) {
      const [aw, lsb] = src.metrics(this.glyphs[k]);
      hmtxView.setUint16(k * 4, aw);
      hmtxView.setInt16(k * 4 + 2, lsb);
    }
    const head = new Uint8Array(src.slice('head'));
    const headView = new DataView(head.buffer);
    headView.setUint32(8, 0); // checkSumAdjustment, set by assemble
    headView.setInt16(50, 1); // long loca
    const hhea = new Uint8Array(src.slice('hhea'));
    new DataView(hhea.buffer).setUint16(34, n);
    const maxp = new Uint8Array(src.slice('maxp'));
    new DataView(maxp.buffer).setUint16(4, n);
    const tables: [string, Uint8Array][] = [
      ['glyf', glyf],
      ['head', head],
      ['hhea', hhea],
      ['hmtx', hmtx],
      ['loca', loca],
      ['maxp', maxp],
    ];
    return assemble(tables);
  }

  /** The fontkit-style stream pdf-lib reads: one 'data' event, then 'end'. */
  encodeStream(): { on(event: string, cb: (x?: unknown) => void): unknown } {
    const handlers: Record<string, (x?: unknown) => void> = {};
    const emitter = {
      on: (event: string, cb: (x?: unknown) => void) => {
        handlers[event] = cb;
        return emitter;
      },
    };
    queueMicrotask(() => {
      try {
        const bytes = this.encode();
        handlers.data?.(bytes);
        handlers.end?.();
      } catch (e) {
        handlers.error?.(e);
      }
    });
    return emitter;
  }
}

function assemble(tables: [string, Uint8Array][]): Uint8Array {
  const numTables = tables.length;
  let entrySelector = 0;
  while (1 << (entrySelector + 1) <= numTables) entrySelector++;
  const searchRange = (1 << entrySelector) * 16;
  const headerLength = 12 + numTables * 16;
  let total = headerLength;
  for (const [, t] of tables) total += (t.length + 3) & ~3;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00010000);
  view.setUint16(4, numTables);
  view.setUint16(6, searchRange);
  view.setUint16(8, entrySelector);
  view.setUint16(10, numTables * 16 - searchRange);
  let off = headerLength;
  let headOffset = 0;
  tables.forEach(([tag, t], k) => {
    const r = 12 + k * 16;
    for (let i = 0; i < 4; i++) out[r + i] = tag.charCodeAt(i);
    view.setUint32(r + 4, checksum(t));
    view.setUint32(r + 8, off);
    view.setUint32(r + 12, t.length);
    out.set(t, off);
    if (tag === 'head') headOffset = off;
    off += (t.length + 3) & ~3;
  });
  // head.checkSumAdjustment makes the whole font sum to 0xB1B0AFBA
  view.setUint32(headOffset + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}
