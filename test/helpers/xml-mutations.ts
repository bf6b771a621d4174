/**
 * Structure-aware mutations of XML flows for the ingest fuzz (test/validation/ingest-fuzz.test.ts):
 * what reaches an inbox before any rule reads a value. Each takes the seed's bytes and a seeded
 * random source and returns other bytes; hostile.ts's mutate() (junk in values) and
 * pdf-mutations.ts (damaged PDFs) are not repeated here.
 */

type Rnd = () => number;
export type XmlMutation = (src: Buffer, rnd: Rnd) => Buffer;

const pick = <T>(a: readonly T[], rnd: Rnd): T => a[Math.floor(rnd() * a.length)];
const text = (b: Buffer) => b.toString('utf8');
const bytes = (s: string) => Buffer.from(s, 'utf8');

/** Every index where a tag starts or ends: the structural boundaries. */
function boundaries(s: string): number[] {
  const at: number[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] === '<' || s[i] === '>') at.push(s[i] === '>' ? i + 1 : i);
  return at;
}

/** A random element `<name …>…</name>` with no element of the same name inside: [start, end). */
function element(s: string, rnd: Rnd, leafOnly = false): [number, number, string] | undefined {
  const re = leafOnly ? /<([A-Za-z_][\w.:-]*)(\s[^>]*)?>[^<]*<\/\1>/g : /<([A-Za-z_][\w.:-]*)[\s>]/g;
  const all = [...s.matchAll(re)];
  for (let tries = 0; tries < 8 && all.length > 0; tries++) {
    const m = pick(all, rnd);
    if (leafOnly) return [m.index!, m.index! + m[0].length, m[1]];
    const close = `</${m[1]}>`;
    const end = s.indexOf(close, m.index!);
    const inner = s.indexOf(`<${m[1]}`, m.index! + 1);
    if (end > 0 && (inner < 0 || inner > end)) return [m.index!, end + close.length, m[1]];
  }
  return undefined;
}

/** A random text node's [start, end) (between `>` and `<`, not blank). */
function textNode(s: string, rnd: Rnd): [number, number] | undefined {
  const all = [...s.matchAll(/>([^<\s][^<]*)</g)];
  if (all.length === 0) return undefined;
  const m = pick(all, rnd);
  return [m.index! + 1, m.index! + 1 + m[1].length];
}

const splice = (s: string, from: number, to: number, put: string) => s.slice(0, from) + put + s.slice(to);
const decl = (s: string) => /^\uFEFF?<\?xml[^?]*\?>/.exec(s)?.[0];
const withDecl = (s: string, d: string) => (decl(s) ? s.replace(/^\uFEFF?<\?xml[^?]*\?>/, d) : d + s);

/** Names an attachment should never become as a path. */
export const HOSTILE_ATTACHMENT_NAMES = ['../../../../tmp/evil.pdf', '..\\..\\evil.pdf', '/etc/passwd', 'C:\\Windows\\evil.pdf', 'CON', 'NUL.pdf', 'aux.txt', 'COM1.xml', 'LPT9', 'facture.pdf.', 'facture.pdf ', '.', '..', 'a∕b.pdf', 'a⁄b.pdf', 'ｆａｃｔｕｒｅ．ｐｄｆ', 'fac\u202Efdp.exe', 'x'.repeat(300) + '.pdf', 'é'.repeat(60) + '.pdf', '', ' ', 'facture', '.pdf', 'f\u0007.pdf', 'fac|ture?.pdf', 'f<>.pdf', '%2e%2e%2fevil.pdf', 'facture.PDF', 'a/b.pdf'];
const NUMBERS = ['1e309', '-1e309', '-0', '12,50', 'NaN', 'Infinity', '-Infinity', '12345678901234567890', '0.000000000000000000001', '0x10', '١٢', '+12.50', '12.50.1', ' 12.50 ', '1_000', '−5'];
const DATES = ['0000-01-01', '9999-12-31', '2026-02-30', '2026-13-01', '1899-12-31', '-2026-01-01', '20261301', '2026-1-1', '2026-01-01T25:00:00', '2026-01-01Z', '10000-01-01', '2026–01–01'];
const CONTROL = ['\u0000', '\u0001', '\u0008', '\u000B', '\u001F', '\u007F', '\uFFFE', '\uFFFF', '\uD800', '&#0;', '&#x1;', '&#xD800;', '&#xFFFE;', '&#1114112;'];

const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The mutations, by name (the name goes into the mutant's file name). */
export const XML_MUTATIONS: Record<string, XmlMutation> = {
  /** cut at a tag boundary (or one byte past it) */
  'truncate-boundary': (src, rnd) => {
    const s = text(src);
    const b = boundaries(s);
    const at = pick(b, rnd) + (rnd() < 0.3 ? 1 : 0);
    return bytes(s.slice(0, at));
  },
  /** cut at any byte (a multi-byte character split too) */
  'truncate-byte': (src, rnd) => src.subarray(0, Math.floor(rnd() * src.length)),
  'element-duplicate': (src, rnd) => {
    const s = text(src);
    const e = element(s, rnd);
    return e ? bytes(splice(s, e[0], e[1], s.slice(e[0], e[1]).repeat(2))) : src;
  },
  'element-remove': (src, rnd) => {
    const s = text(src);
    const e = element(s, rnd);
    return e ? bytes(splice(s, e[0], e[1], '')) : src;
  },
  /** two sibling leaves swapped */
  'element-swap': (src, rnd) => {
    const s = text(src);
    const all = [...s.matchAll(/(<([A-Za-z_][\w.:-]*)(?:\s[^>]*)?>[^<]*<\/\2>)(\s*)(<([A-Za-z_][\w.:-]*)(?:\s[^>]*)?>[^<]*<\/\5>)/g)];
    if (all.length === 0) return src;
    const m = pick(all, rnd);
    return bytes(splice(s, m.index!, m.index! + m[0].length, m[4] + m[3] + m[1]));
  },
  /** an element moved to another place */
  'element-move': (src, rnd) => {
    const s = text(src);
    const e = element(s, rnd, true);
    if (!e) return src;
    const moved = s.slice(e[0], e[1]);
    const rest = splice(s, e[0], e[1], '');
    const b = boundaries(rest).filter((i) => rest[i - 1] === '>');
    if (b.length === 0) return src;
    const to = pick(b, rnd);
    return bytes(splice(rest, to, to, moved));
  },
  /** a prefix renamed (declared with the same URI: the same document), or its URI changed, or left undeclared */
  'namespace-prefix': (src, rnd) => {
    const s = text(src);
    const decls = [...s.matchAll(/xmlns:([\w.-]+)="([^"]*)"/g)];
    if (decls.length === 0) return src;
    const [, prefix, uri] = pick(decls, rnd);
    const k = rnd();
    if (k < 0.4) return bytes(s.replace(new RegExp(`(</?)${prefix}:`, 'g'), '$1zz9:').replace(`xmlns:${prefix}="`, `xmlns:zz9="${uri}" xmlns:${prefix}="`));
    if (k < 0.7) return bytes(s.replace(`xmlns:${prefix}="${uri}"`, `xmlns:${prefix}="${uri}#not"`));
    return bytes(s.replace(`xmlns:${prefix}="${uri}"`, ''));
  },
  /** the default namespace: the prefixed names written unprefixed under a default namespace, or a default namespace added that changes the unprefixed ones */
  'namespace-default': (src, rnd) => {
    const s = text(src);
    const root = /<([A-Za-z_][\w.:-]*)([\s>])/.exec(s.replace(/<\?[^?]*\?>|<!--[^]*?-->/g, (m) => ' '.repeat(m.length)));
    if (!root) return src;
    const k = rnd();
    const at = root.index + 1 + root[1].length;
    if (k < 0.5) return bytes(splice(s, at, at, ` xmlns="urn:fuzz:other"`));
    // an inner element re-declares the default namespace
    const e = element(s, rnd);
    if (!e) return src;
    const after = e[0] + 1 + e[2].length;
    return bytes(splice(s, after, after, ' xmlns="urn:fuzz:inner"'));
  },
  /** the declaration lies about the encoding, or tells the truth of an encoding the bytes are really in */
  'encoding-lie': (src, rnd) => {
    const s = text(src);
    const k = Math.floor(rnd() * 6);
    switch (k) {
      case 0: return bytes(withDecl(s, '<?xml version="1.0" encoding="UTF-16"?>'));
      case 1: return bytes(withDecl(s, '<?xml version="1.0" encoding="ISO-8859-1"?>'));
      case 2: return Buffer.from(withDecl(s, '<?xml version="1.0" encoding="UTF-8"?>'), 'latin1');
      case 3: return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withDecl(s, '<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]);
      case 4: return Buffer.from(withDecl(s, '<?xml version="1.0" encoding="UTF-8"?>'), 'utf16le');
      default: return bytes(withDecl(s, '<?xml version="1.0" encoding="x-fuzz-unknown"?>'));
    }
  },
  bom: (src, rnd) => {
    const k = Math.floor(rnd() * 4);
    const boms = [[0xef, 0xbb, 0xbf], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], [0xfe, 0xff], [0x00, 0x00, 0xfe, 0xff]];
    return Buffer.concat([Buffer.from(boms[k]), src]);
  },
  /** a NUL or another character XML forbids, raw or as a reference, in a text, an attribute, a name or between tags */
  control: (src, rnd) => {
    const s = text(src);
    const c = pick(CONTROL, rnd);
    const t = textNode(s, rnd);
    const k = rnd();
    if (k < 0.4 && t) return bytes(splice(s, t[0], t[0], c));
    if (k < 0.6) {
      const a = [...s.matchAll(/="([^"]*)"/g)];
      if (a.length > 0) {
        const m = pick(a, rnd);
        return bytes(splice(s, m.index! + 2, m.index! + 2, c));
      }
    }
    const b = boundaries(s);
    const at = pick(b, rnd) + (k < 0.8 ? 1 : 0); // a name, or between tags
    return bytes(splice(s, at, at, c));
  },
  /** one text node or attribute value made huge (up to a few MB) */
  huge: (src, rnd) => {
    const s = text(src);
    const size = pick([70_000, 1 << 20, 3 << 20], rnd);
    const k = rnd();
    if (k < 0.5) {
      const t = textNode(s, rnd);
      return t ? bytes(splice(s, t[0], t[1], 'A'.repeat(size))) : src;
    }
    const attrs = [...s.matchAll(/\s[\w:-]+="([^"]*)"/g)].filter((m) => !m[0].includes('xmlns'));
    if (attrs.length === 0) return src;
    const m = pick(attrs, rnd);
    const at = m.index! + m[0].length - 1 - m[1].length;
    return bytes(splice(s, at, at + m[1].length, 'B'.repeat(size)));
  },
  /** elements nested deep inside one element */
  'deep-nesting': (src, rnd) => {
    const s = text(src);
    const e = element(s, rnd);
    if (!e) return src;
    const depth = pick([300, 5_000, 100_000], rnd);
    const open = s.indexOf('>', e[0]) + 1;
    return bytes(splice(s, open, open, '<d>'.repeat(depth) + '</d>'.repeat(depth)));
  },
  /** an amount, quantity or rate replaced by a number at the edge */
  'numeric-edge': (src, rnd) => {
    const s = text(src);
    const all = [...s.matchAll(/>(-?\d+(?:\.\d+)?)</g)];
    if (all.length === 0) return src;
    const m = pick(all, rnd);
    return bytes(splice(s, m.index! + 1, m.index! + 1 + m[1].length, pick(NUMBERS, rnd)));
  },
  'date-edge': (src, rnd) => {
    const s = text(src);
    const all = [...s.matchAll(/>(\d{4}-\d{2}-\d{2}(?:T[\d:.+Z-]*)?|\d{8})</g)];
    if (all.length === 0) return src;
    const m = pick(all, rnd);
    const d = pick(DATES, rnd);
    return bytes(splice(s, m.index! + 1, m.index! + 1 + m[1].length, /^\d{8}$/.test(m[1]) ? d.replace(/-/g, '') : d));
  },
  /** base64 content with white space, its padding broken, a foreign character, or emptied */
  'base64-damage': (src, rnd) => {
    const s = text(src);
    const all = [...s.matchAll(/>([A-Za-z0-9+/]{40,}={0,2})</g)];
    if (all.length === 0) return src;
    const m = pick(all, rnd);
    const b = m[1];
    const at = Math.floor(rnd() * b.length);
    const broken = pick([
      () => b.replace(/(.{76})/g, '$1\n'),
      () => b.replace(/(.{4})/g, '$1 '),
      () => `\n\t${b}\n  `,
      () => b.replace(/=+$/, ''),
      () => `${b}==`,
      () => `${b.replace(/=+$/, '')}=`,
      () => splice(b, at, at, '*'),
      () => splice(b, at, at, '-_'),
      () => splice(b, at, at, '='),
      () => b.slice(0, -1),
      () => '',
      () => '====',
    ], rnd)();
    return bytes(splice(s, m.index! + 1, m.index! + 1 + b.length, broken));
  },
  /** an attachment's file name made hostile */
  'attachment-name': (src, rnd) => {
    const s = text(src);
    const name = xmlAttr(pick(HOSTILE_ATTACHMENT_NAMES, rnd));
    if (/filename="/.test(s)) return bytes(s.replace(/filename="[^"]*"/, `filename="${name}"`));
    if (/<NomPJ>/.test(s)) return bytes(s.replace(/<NomPJ>[^<]*<\/NomPJ>/, `<NomPJ>${name}</NomPJ>`));
    return src;
  },
  /** an attachment's declared type that lies about its bytes */
  'mime-lie': (src, rnd) => {
    const s = text(src);
    const mime = pick(['image/png', 'application/x-msdownload', 'text/xml', 'application/pdf', '', 'application/pdf; charset=x', 'APPLICATION/PDF', 'image/svg+xml'], rnd);
    if (/mimeCode="/.test(s)) return bytes(s.replace(/mimeCode="[^"]*"/, `mimeCode="${xmlAttr(mime)}"`));
    if (/<MimeTypePJ>/.test(s)) return bytes(s.replace(/<MimeTypePJ>[^<]*<\/MimeTypePJ>/, `<MimeTypePJ>${xmlAttr(mime)}</MimeTypePJ>`));
    return src;
  },
  /** markup a parser must refuse or take with care: a DTD, an entity, a processing instruction, CDATA, a comment inside a value */
  markup: (src, rnd) => {
    const s = text(src);
    const t = textNode(s, rnd);
    const d = decl(s) ?? '';
    const body = s.slice(d.length);
    return bytes(pick([
      () => `${d}<!DOCTYPE x [<!ENTITY e "${'e'.repeat(100)}">]>${body}`,
      () => `${d}<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/x.dtd">${body}`,
      () => `${d}<?fuzz pi?>${body}`,
      () => (t ? splice(s, t[0], t[1], `<![CDATA[${s.slice(t[0], t[1])}]]>`) : s),
      () => (t ? splice(s, t[0], t[0], '<!-- c -->') : s),
      () => (t ? splice(s, t[0], t[0], '&undeclared;') : s),
      () => (t ? splice(s, t[0], t[0], ']]>') : s),
      () => `${s}<second/>`,
      () => `${s}garbage`,
      () => `  \n${s}`,
      () => `${d}${d}${body}`,
    ], rnd)());
  },
};

/** `src` with `n` mutations drawn (the first `first` if given): the bytes and the names applied. */
export function mutateXml(src: Buffer, rnd: Rnd, n = 1, first?: string): { bytes: Buffer; names: string[] } {
  const names: string[] = [];
  let b = src;
  for (let i = 0; i < n; i++) {
    const name = i === 0 && first ? first : pick(Object.keys(XML_MUTATIONS), rnd);
    b = XML_MUTATIONS[name](b, rnd);
    names.push(name);
  }
  return { bytes: b, names };
}

/** `src` with its invoice numbers (UBL, CII, pivot, CPPStatut) ending in `suffix` (short: a number is at most 20 characters): a mutant is not a duplicate of its seed or of another mutant. */
export function withOwnNumbers(src: Buffer, suffix: string): Buffer {
  const s = text(src);
  return bytes(
    s
      .replace(/^([^]*?<(?:Invoice|CreditNote)\b[^]*?<cbc:ID>)([^<]*)/, `$1$2${suffix}`)
      .replace(/(<rsm:ExchangedDocument>\s*<ram:ID>)([^<]*)/, `$1$2${suffix}`)
      .replace(/(<DonneesFacture>\s*<Id>)([^<]*)/g, `$1$2${suffix}`)
      .replace(/(<IdFacture>)([^<]*)/g, `$1$2${suffix}`),
  );
}

/**
 * Rewritings that keep the document the same for an XML reader (the same infoset, or the same
 * values): the mutant must end as its seed does, with the same fatal rules.
 */
export const EQUIVALENT_MUTATIONS: Record<string, XmlMutation> = {
  /** a prefix renamed, declared with the same URI */
  'same-ns-other-prefix': (src, rnd) => {
    const s = text(src);
    const decls = [...s.matchAll(/xmlns:([\w.-]+)="([^"]*)"/g)];
    if (decls.length === 0) return src;
    const [, prefix, uri] = pick(decls, rnd);
    // in element and attribute names (xsi:schemaLocation), inside tags only
    const renamed = s.replace(/<[^!?][^>]*>/g, (tag) => tag.replace(new RegExp(`(^</?|\\s)${prefix}:(?=[A-Za-z_])`, 'g'), '$1q9:'));
    return bytes(renamed.replace(`xmlns:${prefix}="${uri}"`, `xmlns:q9="${uri}"`));
  },
  /** a prefixed namespace made the default one: its elements unprefixed */
  'prefix-to-default': (src) => {
    const s = text(src);
    if (/\sxmlns="/.test(s)) return src;
    const m = /xmlns:(cbc|ram)="([^"]*)"/.exec(s);
    if (!m) return src;
    // only where the prefix names elements alone (its attributes would lose their namespace)
    return bytes(s.replace(new RegExp(`(</?)${m[1]}:`, 'g'), '$1').replace(m[0], `xmlns="${m[2]}"`));
  },
  'utf8-bom': (src) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), src]),
  /** every text value written as CDATA */
  cdata: (src, rnd) => {
    const s = text(src);
    const t = textNode(s, rnd);
    return t ? bytes(splice(s, t[0], t[1], `<![CDATA[${s.slice(t[0], t[1]).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&apos;/g, "'")}]]>`)) : src;
  },
  /** a comment and a processing instruction in the middle of a value */
  'comment-in-value': (src, rnd) => {
    const s = text(src);
    const all = [...s.matchAll(/>([^<\s&]{2,})</g)];
    if (all.length === 0) return src;
    const m = pick(all, rnd);
    const at = m.index! + 2;
    return bytes(splice(s, at, at, rnd() < 0.5 ? '<!-- c -->' : '<?pi x?>'));
  },
  /** a character written as a character reference */
  'char-reference': (src, rnd) => {
    const s = text(src);
    const t = textNode(s, rnd);
    if (!t) return src;
    const c = s[t[0]];
    if (c === '&') return src;
    return bytes(splice(s, t[0], t[0] + 1, rnd() < 0.5 ? `&#${c.codePointAt(0)};` : `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`));
  },
  /** base64 broken into lines of 76 (MIME) or 64 characters */
  'base64-lines': (src, rnd) => {
    const s = text(src);
    const n = rnd() < 0.5 ? 76 : 64;
    return bytes(s.replace(/>([A-Za-z0-9+/]{200,}={0,2})</g, (_, b: string) => `>${b.replace(new RegExp(`(.{${n}})`, 'g'), '$1\r\n')}<`));
  },
  /** the whole file in UTF-16 with its byte-order mark and a declaration that says so */
  'utf16-declared': (src, rnd) => {
    const s = withDecl(text(src), '<?xml version="1.0" encoding="UTF-16"?>');
    if (rnd() < 0.5) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
    const le = Buffer.from(s, 'utf16le');
    return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
  },
  /** windows-1252 declared, bytes in windows-1252 (the texts hold no character outside it) */
  'cp1252-declared': (src) => {
    const s = withDecl(text(src), '<?xml version="1.0" encoding="windows-1252"?>');
    if ([...s].some((c) => c.charCodeAt(0) > 0xff)) return src;
    return Buffer.from(s, 'latin1');
  },
  /** CRLF line ends, tabs for indentation, attributes quoted with ' */
  'line-ends': (src) => bytes(text(src).replace(/\n/g, '\r\n')),
  'single-quotes': (src) => bytes(text(src).replace(/(<[^!?][^>]*?)="([^"'<]*)"/g, (m) => m.replace(/="([^"'<]*)"/g, "='$1'"))),
  /** an empty element written <x></x> → <x/> and the other way round */
  'empty-element-form': (src) => bytes(text(src).replace(/<([A-Za-z_][\w.:-]*)((?:\s[^>]*)?)\/>/g, '<$1$2></$1>')),
};
