/**
 * Seeded mutations of whole PDFs, for the fuzz of the Factur-X reader: damage by accident (bytes
 * flipped, a file cut, a cross-reference table or a /Length wrong) and by design (an /Prev chain
 * or a name tree that loops, nesting thousands deep, a compression bomb, an embedded file under a
 * filter nobody knows or whose /EF is no stream, file names that read as paths, JavaScript).
 * The hostile structures are appended as an incremental update that redefines the catalog: the
 * rest of the file, and its embedded invoice, stay as they were.
 */
import { deflateSync } from 'node:zlib';

/** The mutations, by name: each takes a PDF and a random source, and gives the mutated bytes. */
export type PdfMutation = (pdf: Buffer, rnd: () => number) => Buffer;

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)];
const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** The file's last trailer facts: its catalog's object number, its /Pages reference, its size and its last xref offset. */
function facts(pdf: Buffer): { root: number; catalog: string; size: number; startxref: number } {
  const text = pdf.toString('latin1');
  const roots = [...text.matchAll(/\/Root\s+(\d+)\s+\d+\s+R/g)];
  const root = roots.length > 0 ? Number(roots[roots.length - 1][1]) : 1;
  const body = new RegExp(`(?<![0-9])${root}\\s+0\\s+obj\\s*<<([\\s\\S]{0,4000}?)>>\\s*endobj`).exec(text)?.[1];
  // the catalog's own entries (a later key of the same name wins); one in an object stream is not found here
  const catalog = body ?? '/Type /Catalog /Pages 2 0 R';
  const sizes = [...text.matchAll(/\/Size\s+(\d+)/g)].map((m) => Number(m[1]));
  const numbers = [...text.matchAll(/(?<![0-9])(\d+)\s+0\s+obj\b/g)].map((m) => Number(m[1]));
  const size = Math.max(1, ...sizes, ...numbers.map((n) => n + 1));
  const sx = [...text.matchAll(/startxref\s+(\d+)/g)];
  return { root, catalog, size, startxref: sx.length > 0 ? Number(sx[sx.length - 1][1]) : 0 };
}

/**
 * `pdf` with an incremental update: `objects` (number → body) and a catalog that keeps its
 * entries and gets `catalogExtra` (which wins over them); a cross-reference table for them whose /Prev is `prev` (the file's
 * last one by default).
 */
export function appendUpdate(pdf: Buffer, catalogExtra: string, objects: [number, Buffer][] = [], prev?: number | 'self'): Buffer {
  const f = facts(pdf);
  const parts: Buffer[] = [pdf, latin1('\n')];
  let at = pdf.length + 1;
  const offsets: [number, number][] = [];
  const all: [number, Buffer][] = [[f.root, latin1(`<< ${f.catalog} ${catalogExtra} >>`)], ...objects];
  for (const [n, body] of all) {
    offsets.push([n, at]);
    const b = Buffer.concat([latin1(`${n} 0 obj\n`), body, latin1('\nendobj\n')]);
    parts.push(b);
    at += b.length;
  }
  const xrefAt = at;
  const rows = offsets.map(([n, o]) => `${n} 1\n${String(o).padStart(10, '0')} 00000 n \n`).join('');
  const size = Math.max(f.size, ...all.map(([n]) => n + 1));
  const prevAt = prev === 'self' ? xrefAt : (prev ?? f.startxref);
  parts.push(latin1(`xref\n${rows}trailer\n<< /Size ${size} /Root ${f.root} 0 R /Prev ${prevAt} >>\nstartxref\n${xrefAt}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** The first free object number of `pdf` (objects of an update are numbered from it). */
const free = (pdf: Buffer) => facts(pdf).size;

/** An embedded-file stream object body: `filter` (none when empty), `data` as the stream's bytes. */
function efStream(data: Buffer, filter: string, extra = ''): Buffer {
  return Buffer.concat([latin1(`<< /Type /EmbeddedFile /Subtype /text#2Fxml ${filter ? `/Filter ${filter} ` : ''}/Length ${data.length} ${extra}>>\nstream\n`), data, latin1('\nendstream')]);
}

/** A catalog naming one file specification `name` (in /AF and in the name tree) whose /EF /F is `ef`. */
function embedOne(pdf: Buffer, name: string, ef: (n: number) => [string, [number, Buffer][]]): Buffer {
  const n = free(pdf);
  const [efValue, extra] = ef(n + 1);
  const spec = latin1(`<< /Type /Filespec /F ${name} /UF ${name} /AFRelationship /Data /EF << /F ${efValue} >> >>`);
  return appendUpdate(pdf, `/AF [${n} 0 R] /Names << /EmbeddedFiles << /Names [${name} ${n} 0 R] >> >>`, [[n, spec], ...extra]);
}

/** A literal PDF string of `s` (UTF-16BE with its BOM when not Latin-1), escaped. */
export function pdfText(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[()\\]/g, (c) => `\\${c}`)})`;
  const b = Buffer.from(`\ufeff${s}`, 'utf16le').swap16();
  return `<${b.toString('hex')}>`;
}

/** File names built to hurt: a path out of the tree, a NUL, 5000 characters, right-to-left overrides, a device name. */
export const HOSTILE_NAMES = ['../../../../etc/passwd', '..\\..\\windows\\win.ini', 'factur-x.xml\u0000.exe', 'a'.repeat(5000), 'facture\u202Egnp.exe', '\u202Elmx.x-rutcaf', 'CON', '/abs/factur-x.xml', 'fa\u0000ctur-x.xml', `${'é'.repeat(300)}.xml`, 'factur-x.xml/../../x', '\n\r\t'];

export const MUTATIONS: Record<string, PdfMutation> = {
  // accidents
  flipBytes: (pdf, rnd) => {
    const b = Buffer.from(pdf);
    for (let i = 1 + Math.floor(rnd() * 40); i > 0; i--) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    return b;
  },
  flipBytesInStreams: (pdf, rnd) => {
    const b = Buffer.from(pdf);
    const starts: number[] = [];
    for (let i = b.indexOf('stream'); i >= 0; i = b.indexOf('stream', i + 6)) starts.push(i + 7);
    for (let k = 1 + Math.floor(rnd() * 8); k > 0 && starts.length > 0; k--) {
      const at = pick(starts, rnd) + Math.floor(rnd() * 64);
      if (at < b.length) b[at] ^= 1 << Math.floor(rnd() * 8);
    }
    return b;
  },
  truncate: (pdf, rnd) => pdf.subarray(0, Math.floor(rnd() * pdf.length)),
  // cut, then given an end mark: the check for a whole file passes, the reader gets what is left
  truncateWithEof: (pdf, rnd) => Buffer.concat([pdf.subarray(0, Math.floor(rnd() * pdf.length)), latin1('\n%%EOF\n')]),
  startxrefWrong: (pdf, rnd) => {
    const s = pdf.toString('latin1');
    const at = s.lastIndexOf('startxref');
    return at < 0 ? pdf : latin1(`${s.slice(0, at)}startxref\n${pick([0, 1, pdf.length, pdf.length * 10, 2 ** 53, Math.floor(rnd() * pdf.length)], rnd)}\n%%EOF\n`);
  },
  xrefRowsWrong: (pdf, rnd) => latin1(pdf.toString('latin1').replace(/(?<=\n)\d{10}(?= \d{5} n)/g, (m) => (rnd() < 0.3 ? String(Math.floor(rnd() * pdf.length)).padStart(10, '0') : m))),
  lengthWrong: (pdf, rnd) => latin1(pdf.toString('latin1').replace(/\/Length (\d+)(?! \d+ R)/g, (m, n) => (rnd() < 0.5 ? `/Length ${pick(['0', '-1', '99999999999', String(Number(n) + 1000), String(Math.floor(Number(n) / 2)), '1e9', '(x)'], rnd)}` : m))),
  objectStreamsRemoved: (pdf) => latin1(pdf.toString('latin1').replace(/\/Type\s*\/ObjStm/g, '/Type /XObjStm')),
  // by design
  prevLoop: (pdf) => appendUpdate(pdf, '', [], 'self'),
  prevLoopTwo: (pdf) => {
    const once = appendUpdate(pdf, '', []);
    return appendUpdate(once, '', [], facts(pdf).startxref === 0 ? 'self' : pdf.length + 1);
  },
  referenceCycle: (pdf) => {
    const n = free(pdf);
    return appendUpdate(pdf, `/Names ${n} 0 R /AF ${n + 1} 0 R /Metadata ${n + 2} 0 R`, [[n, latin1(`${n + 1} 0 R`)], [n + 1, latin1(`${n} 0 R`)], [n + 2, latin1(`${n + 2} 0 R`)]]);
  },
  deepArrays: (pdf, rnd) => {
    const depth = pick([1000, 10_000, 100_000], rnd);
    return appendUpdate(pdf, `/Foo ${'['.repeat(depth)}1${']'.repeat(depth)}`);
  },
  deepDicts: (pdf, rnd) => {
    const depth = pick([1000, 10_000, 50_000], rnd);
    return appendUpdate(pdf, `/Foo ${'<< /A '.repeat(depth)}1${' >>'.repeat(depth)}`);
  },
  deepUnclosed: (pdf) => appendUpdate(pdf, `/Foo ${'[<<'.repeat(30_000)}`),
  nameTreeLoop: (pdf) => {
    const n = free(pdf);
    return appendUpdate(pdf, `/Names << /EmbeddedFiles ${n} 0 R >>`, [[n, latin1(`<< /Kids [${Array(10).fill(`${n} 0 R ${n + 1} 0 R`).join(' ')}] >>`)], [n + 1, latin1(`<< /Kids [${n} 0 R] >>`)]]);
  },
  nameTreeDeep: (pdf, rnd) => {
    const depth = pick([30, 500, 5000], rnd);
    const n = free(pdf);
    const nodes: [number, Buffer][] = Array.from({ length: depth }, (_, k) => [n + k, latin1(k === depth - 1 ? '<< /Names [(factur-x.xml) 1 0 R] >>' : `<< /Kids [${n + k + 1} 0 R] >>`)]);
    return appendUpdate(pdf, `/Names << /EmbeddedFiles ${n} 0 R >>`, nodes);
  },
  afHuge: (pdf) => {
    const n = free(pdf);
    return appendUpdate(pdf, `/AF [${Array(50_000).fill(`${n} 0 R`).join(' ')}]`, [[n, latin1(`<< /Type /Filespec /F (x.xml) /EF << /F ${n} 0 R >> >>`)]]);
  },
  unknownFilter: (pdf, rnd) => embedOne(pdf, '(factur-x.xml)', (k) => [`${k} 0 R`, [[k, efStream(latin1('<rsm:CrossIndustryInvoice/>'), pick(['/NoSuchDecode', '[/FlateDecode /NoSuchDecode]', '/JBIG2Decode', '/Crypt', '(text)'], rnd))]]]),
  flateBomb: (pdf, rnd) => {
    const z = deflatedSpaces(pick([200 << 20, 130 << 20], rnd));
    return embedOne(pdf, '(factur-x.xml)', (k) => [`${k} 0 R`, [[k, efStream(z, '/FlateDecode')]]]);
  },
  // a filter chain: each stage small, the last one huge
  flateBombTwice: (pdf) => {
    const z = deflatedSpaces(200 << 20, 2);
    return embedOne(pdf, '(factur-x.xml)', (k) => [`${k} 0 R`, [[k, efStream(z, '[/FlateDecode /FlateDecode]')]]]);
  },
  metadataBomb: (pdf) => {
    const n = free(pdf);
    const z = deflatedSpaces(200 << 20);
    return appendUpdate(pdf, `/Metadata ${n} 0 R`, [[n, Buffer.concat([latin1(`<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length ${z.length} >>\nstream\n`), z, latin1('\nendstream')])]]);
  },
  efNotStream: (pdf, rnd) => embedOne(pdf, '(factur-x.xml)', (k) => pick<[string, [number, Buffer][]]>([[`${k} 0 R`, [[k, latin1('<< /Type /EmbeddedFile >>')]]], ['42', []], ['(text)', []], [`${k} 0 R`, [[k, latin1(`${k} 0 R`)]]], ['null', []], [`${k + 99} 0 R`, []]], rnd)),
  hostileName: (pdf, rnd) => embedOne(pdf, pdfText(pick(HOSTILE_NAMES, rnd)), (k) => [`${k} 0 R`, [[k, efStream(latin1('hello'), '')]]]),
  hostileNames: (pdf) => {
    const n = free(pdf);
    const specs = HOSTILE_NAMES.map((name, k): [number, Buffer] => [n + k, latin1(`<< /Type /Filespec /F ${pdfText(name)} /UF ${pdfText(name)} /EF << /F ${n + HOSTILE_NAMES.length} 0 R >> >>`)]);
    return appendUpdate(pdf, `/Names << /EmbeddedFiles << /Names [${specs.map(([k], i) => `${pdfText(HOSTILE_NAMES[i])} ${k} 0 R`).join(' ')}] >> >>`, [...specs, [n + HOSTILE_NAMES.length, efStream(latin1('x'), '')]]);
  },
  javaScript: (pdf, rnd) => {
    const n = free(pdf);
    return appendUpdate(pdf, pick([`/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>`, `/OpenAction ${n} 0 R /AA << /WC ${n} 0 R >>`, `/Names << /JavaScript << /Names [(a) ${n} 0 R] >> >>`], rnd), [[n, latin1('<< /S /Launch /F (cmd.exe) >>')]]);
  },
  // the catalog is no dictionary, or missing
  catalogNotDict: (pdf, rnd) => {
    const f = facts(pdf);
    return latin1(`${pdf.toString('latin1')}\n${f.root} 0 obj\n${pick(['42', '[1 2 3]', 'null', '(x)', `${f.root} 0 R`], rnd)}\nendobj\n%%EOF\n`);
  },
};

/** `n` spaces deflated `times` times, computed once per campaign (deflating 200 MB takes a second). */
const zeros = new Map<string, Buffer>();
function deflatedSpaces(n: number, times = 1): Buffer {
  const key = `${n}x${times}`;
  let z = zeros.get(key);
  if (!z) {
    z = Buffer.alloc(n, 0x20);
    for (let i = 0; i < times; i++) z = deflateSync(z, { level: 9 });
    zeros.set(key, z);
  }
  return z;
}

/** A mutation name and the bytes it gives, for case `k` of a seeded campaign. */
export function mutatePdf(pdf: Buffer, rnd: () => number, name = pick(Object.keys(MUTATIONS), rnd)): { name: string; bytes: Buffer } {
  return { name, bytes: MUTATIONS[name](pdf, rnd) };
}
