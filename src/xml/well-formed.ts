/**
 * Strict well-formedness check, before the tree is built: every tag closed in order, one
 * root, nothing but white space, comments and processing instructions outside it, well-formed
 * start tags (quoted attribute values, no duplicate attribute), no stray "<", every prefix
 * of an element or attribute name bound by an `xmlns:` declaration in scope (the reader drops
 * prefixes, so `<zz:Note>` would be read as a Note where every namespace-aware reader —
 * the official schemas and schematrons — refuses the file).
 * It runs on native regular expressions (about ten times faster than a character loop in
 * JavaScript); DTDs and bad entity references are refused earlier (document.ts).
 * Returns undefined when well-formed, else the first problem with its position.
 */
export interface WellFormedError {
  index: number;
  message: string;
  /** well-formed so far, but a text too long to read (MAX_TEXT): a size refusal, not a syntax one */
  tooLong?: boolean;
  /** a prefix bound to no namespace (XML Namespaces' well-formedness): a namespace refusal */
  namespace?: boolean;
}

/**
 * The longest text run read outside an embedded file. fast-xml-parser builds a text one
 * character at a time: a 60 MB note took 14 s and 2.5 GB of memory. No invoice value comes
 * near it; embedded files (whose base64 may hold character references, and then is not lifted
 * out of the text) are exempt.
 */
export const MAX_TEXT = 1 << 20;
/**
 * An embedded file's base64 the reader must read as text (not lifted out whole: a comment, a
 * CDATA section or a character reference inside it): 110 MB so written took 4.3 GB and 20 s,
 * the process's whole heap. An attachment is at most 10 MB: its base64 with a character
 * reference on every line stays under 16 MB.
 */
export const MAX_BLOB_TEXT = 24 << 20;
const BLOB_ELEMENT = /(?:^|:)(?:EmbeddedDocumentBinaryObject|AttachmentBinaryObject|Contenu)$/;

// one alternative per kind of markup; the last one, a bare "<", is always an error
const MARKUP = /<(?:\/([^\s>]+)\s*>|!--([\s\S]*?)-->|\?([\s\S]*?)\?>|!\[CDATA\[[\s\S]*?\]\]>|([^\s/>!?<"'=][^\s/><"'=]*)((?:\s+[^\s=/><"']+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>)|</g;
const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*$/;
const ATTR = /\s+([^\s=/><"']+)\s*=/g;
const NON_SPACE = /\S/;
const SOME_TEXT = /[^ \n\t\r]/g;

function describe(name: string, stack: string[]): string {
  return stack.length ? `${name} (inside ${stack.slice(-3).join(' > ')})` : name;
}

/** Why a prefixed name (`c` its colon) is not a qualified name bound in `bindings`; undefined when it is. */
function unbound(name: string, c: number, bindings: readonly string[], count: number): string | undefined {
  if (c === name.length - 1 || name.indexOf(':', c + 1) >= 0) return `"${name.slice(0, 60)}" is not a valid qualified name (one prefix, one local name)`;
  // compared in place: no slice per element (nearly every UBL and CII element has a prefix)
  for (let k = count - 1; k >= 0; k--) if (bindings[k].length === c && name.startsWith(bindings[k])) return undefined;
  const prefix = name.slice(0, c);
  if (prefix === 'xml' || prefix === 'xmlns') return undefined;
  return `the prefix "${prefix.slice(0, 40)}" of ${name.slice(0, 60)} is bound to no namespace (no xmlns:${prefix.slice(0, 40)} declaration in scope)`;
}

/**
 * What is wrong with a processing instruction (`body`: what stands between "<?" and "?>"):
 * its target is a name; `xml` is the declaration, only at the very start (a byte order mark
 * aside); other spellings of `xml` are reserved (`xml-stylesheet` and the like are not).
 */
function piProblem(body: string, at: number, text: string): string | undefined {
  const end = body.search(/[ \t\r\n]/);
  const target = end < 0 ? body : body.slice(0, end);
  if (!NAME.test(target)) return `"<?${target.slice(0, 40)}" is not a processing instruction (its target must be a name)`;
  if (target === 'xml') return at === 0 || (at === 1 && text.charCodeAt(0) === 0xfeff) ? undefined : 'the XML declaration is not at the start of the document';
  if (target.toLowerCase() === 'xml') return `"<?${target}" is not an XML declaration (write it <?xml, in lower case) and the name is reserved`;
  return undefined;
}

/** Past the limit of the element being read: MAX_TEXT, or for an embedded file MAX_BLOB_TEXT. */
function overLimit(length: number, stack: readonly string[]): boolean {
  return !BLOB_ELEMENT.test(stack[stack.length - 1]) || length > MAX_BLOB_TEXT;
}

/** Whether text[from, to) holds more than XML white space: its ends first (a value), then a short loop, then a regex. */
function someText(text: string, from: number, to: number): boolean {
  if (!isSpace(text.charCodeAt(from)) || !isSpace(text.charCodeAt(to - 1))) return true;
  if (to - from <= 64) {
    for (let i = from + 1; i < to - 1; i++) if (!isSpace(text.charCodeAt(i))) return true;
    return false;
  }
  SOME_TEXT.lastIndex = from;
  return SOME_TEXT.exec(text) !== null && SOME_TEXT.lastIndex <= to;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function tooLong(from: number, length: number, stack: readonly string[]): WellFormedError {
  const mb = (length / (1 << 20)).toFixed(1);
  const el = stack[stack.length - 1].slice(0, 60);
  if (BLOB_ELEMENT.test(stack[stack.length - 1])) {
    return { index: from, tooLong: true, message: `an embedded file of over ${mb} MB of base64 in <${el}>, written in pieces the reader must join (a comment, CDATA or character references inside it): at most ${MAX_BLOB_TEXT >> 20} MB so written (an attachment is at most 10 MB)` };
  }
  return { index: from, tooLong: true, message: `a text of ${mb} MB in <${el}>, outside any embedded file: no invoice value is that long (at most ${MAX_TEXT >> 20} MB)` };
}

export function checkWellFormed(text: string): WellFormedError | undefined {
  MARKUP.lastIndex = 0;
  const stack: string[] = [];
  // the prefixes declared by the open elements, innermost last, and where each element's begin
  const bindings: string[] = [];
  let bound = 0; // bindings in use (the array is not shortened: setting its length costs)
  const marks: number[] = [];
  let rootSeen = false;
  let last = 0;
  // the character data of the element being read: its text and CDATA pieces, which comments,
  // processing instructions and child elements between them do not separate (the reader joins
  // them into one value)
  let textLength = 0;
  let textFrom = 0;
  // the parents' counts while a child is read
  const savedLength: number[] = [];
  const savedFrom: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = MARKUP.exec(text)) !== null) {
    const at = m.index;
    if (stack.length === 0 && at > last && NON_SPACE.test(text.slice(last, at))) {
      return { index: last, message: rootSeen ? 'text after the root element' : 'text before the root element' };
    }
    if (stack.length > 0 && at > last) {
      // white space between elements is dropped by the reader: only a piece with text adds up
      // (one run of over 1 MB, white or not, is refused all the same)
      const hasText = at - last > MAX_TEXT || someText(text, last, at);
      if (hasText) textLength += at - last;
      if (textLength > MAX_TEXT && overLimit(textLength, stack)) return tooLong(textFrom, textLength, stack);
    }
    last = MARKUP.lastIndex;
    if (m[0] === '<') {
      // 30 units, less the half of a surrogate pair the cut would leave (a lone surrogate is no text)
      const near = text.slice(at, at + 30).replace(/[\ud800-\udbff]$/, '').replace(/\s+/g, ' ');
      return { index: at, message: `"<" does not start a valid tag, comment, CDATA section or processing instruction near "${near}"` };
    }
    if (m[1] !== undefined) {
      // back to the parent's text, which goes on after this child (mixed content joins it)
      textLength = savedLength.pop() ?? 0;
      textFrom = savedFrom.pop() ?? last;
      const open = stack.pop();
      if (open === undefined) return { index: at, message: `closing tag </${m[1]}> with no element open` };
      if (open !== m[1]) return { index: at, message: `expected </${open}> but found </${m[1]}>` };
      bound = marks.pop()!;
      continue;
    }
    if (m[2] !== undefined) {
      // "--" nowhere inside, and no "-" just before the closing "-->" ("<!-- a --->")
      if (m[2].includes('--') || m[2].endsWith('-')) return { index: at, message: 'a comment contains "--"' };
      continue;
    }
    if (m[3] !== undefined) {
      const problem = piProblem(m[3], at, text);
      if (problem) return { index: at, message: problem };
      continue;
    }
    if (m[4] === undefined) {
      // CDATA: its text joins the element's other pieces in the value read
      if (stack.length > 0) {
        textLength += m[0].length - 12;
        if (textLength > MAX_TEXT && overLimit(textLength, stack)) return tooLong(textFrom, textLength, stack);
      }
      continue;
    }
    const name = m[4];
    if (!NAME.test(name)) return { index: at, message: `"${name}" is not a valid element name` };
    if (stack.length === 0 && rootSeen) return { index: at, message: `a second root element <${name}>: XML allows one` };
    const attrs = m[5];
    const mark = bound;
    let prefixed: string[] | undefined; // attribute names with a prefix, judged once this tag's declarations are known
    if (attrs && attrs.length > 0) {
      const seen = new Set<string>();
      ATTR.lastIndex = 0;
      let a: RegExpExecArray | null;
      while ((a = ATTR.exec(attrs)) !== null) {
        if (!NAME.test(a[1])) return { index: at, message: `"${a[1]}" is not a valid attribute name in <${name}>` };
        if (seen.has(a[1])) return { index: at, message: `the attribute ${a[1]} is repeated in <${name}>` };
        seen.add(a[1]);
        if (a[1].startsWith('xmlns:')) bindings[bound++] = a[1].slice(6);
        else if (a[1].includes(':')) (prefixed ??= []).push(a[1]);
      }
    }
    const colon = name.indexOf(':');
    const problem = colon >= 0 ? unbound(name, colon, bindings, bound) : undefined;
    if (problem) return { index: at, namespace: true, message: problem };
    if (prefixed) {
      for (const q of prefixed) {
        const p = unbound(q, q.indexOf(':'), bindings, bound);
        if (p) return { index: at, namespace: true, message: p };
      }
    }
    if (m[6] !== '/') {
      stack.push(name);
      marks.push(mark);
      savedLength.push(textLength);
      savedFrom.push(textFrom);
      textLength = 0;
      textFrom = last;
    } else bound = mark;
    rootSeen = true;
  }
  if (stack.length > 0) {
    return { index: text.length, message: `the document ends before ${stack.length === 1 ? 'the element' : 'these elements are'} closed: ${describe(stack[stack.length - 1], stack.slice(0, -1))} — the file is probably truncated` };
  }
  if (!rootSeen) return { index: 0, message: 'no root element' };
  if (last < text.length && NON_SPACE.test(text.slice(last))) return { index: last, message: 'text after the root element' };
  return undefined;
}
