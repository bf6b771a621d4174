/**
 * The element structure of a UBL or CII document against its official schema (the tables of
 * content-model.ts, read from the XSDs): every element allowed where it is, in the schema's
 * order, as often as allowed, every required element present, text only where text goes.
 *
 * The reader takes elements by name wherever they are, so an invoice with an element out of
 * place, twice, or unknown to the schema was read and accepted — and its original forwarded
 * in the pivot to a finance system whose schema validation refuses it. The EN 16931
 * schematron presumes a schema-valid document and does not look for these.
 *
 * The text of a leaf whose type is a date, a time, a date-time, a decimal, an integer or a
 * boolean of XML Schema is checked against that type's lexical form, white space collapsed
 * as the schema does (lexical.ts): `<cbc:IssueTime>25:00</cbc:IssueTime>` or an
 * OrderReference's IssueDate "2026-13-01" are refused here, as xmllint refuses them — but not
 * the values the model reads and a rule judges (the invoice's dates, amounts, quantities,
 * rates and indicators: CPRO-PIVOT-DATE, -DECIMAL, -INDICATEUR, -CODE and the EN 16931 rules
 * name them in their own words, which the official XSLT's oracle tests compare). Other values
 * (codes) are the rules' business; attributes are checked by name (declared there, required ones present). A UBL
 * extension's content (ExtensionContent) is checked as xmllint does: one element, of another
 * namespace than the extension components'; an element the UBL schemas declare is checked
 * against its declaration wherever it stands inside, any other is not (the signature schemas
 * are not read: a UBL signature's content is not looked into). Runs on the document's text
 * (well-formed, embedded files lifted out) in one pass of a regular expression, as the
 * well-formedness check does.
 */
import { ANY, EMPTY, GROUP, isEmpty, isGroup, isLeaf, isOther, LEAF, leafType, OTHER, type ContentModel, type LexicalType, type Particle } from './content-model';
import { judgedByRules, lexicalProblem, textOf } from './lexical';
import { withDeclarations, type Scope } from '../../../xml/namespaces';

export interface StructureProblem {
  /** offset in the text */
  index: number;
  message: string;
}

interface CompiledModel {
  name: string;
  namespaces: string[];
  nsIndex: Map<string, number>;
  roots: Map<string, string>;
  types: Map<string, Particle[]>;
  choices: Set<string>;
  /** the attributes of each kind of leaf (`#leaf/<n>`): name → required */
  leafAttributes: Map<string, { allowed: Map<string, boolean>; required: number }>;
  aggregateAttributes: Map<string, { allowed: Map<string, boolean>; required: number }>;
  /** the global elements, for lax content: key → type */
  globals: Map<string, string>;
  /** what the check asks of each type met, worked out once (see TypeInfo) */
  infos: Map<string, TypeInfo>;
}

/**
 * What the check needs of a type key, read once per type rather than from its spelling at
 * every tag (the type tests took a third of the check's time).
 */
interface TypeInfo {
  leaf: boolean;
  /** the built-in type its text must be of (a typed leaf), undefined for text of any form */
  lexical: LexicalType | undefined;
  empty: boolean;
  other: boolean;
  /** content of elements only: text in it is refused */
  elementsOnly: boolean;
  particles: Particle[] | undefined;
  choice: boolean;
  /** its attributes, when they are checked (not in ANY or lax content) */
  attributes: { allowed: Map<string, boolean>; required: number } | undefined;
}

/** An element lax content holds that the schemas do not declare: not checked, what it holds is. */
const LAX = '#lax';

const compiled = new WeakMap<ContentModel, CompiledModel>();

function attributeSet(list: [string, boolean][]): { allowed: Map<string, boolean>; required: number } {
  return { allowed: new Map(list), required: list.filter(([, r]) => r).length };
}

function compile(m: ContentModel): CompiledModel {
  let c = compiled.get(m);
  if (!c) {
    c = {
      name: m.name,
      namespaces: m.namespaces,
      nsIndex: new Map(m.namespaces.map((ns, i) => [ns, i])),
      roots: new Map(Object.entries(m.roots)),
      types: new Map(Object.entries(m.types)),
      choices: new Set(m.choices),
      leafAttributes: new Map(m.leafAttributes.flatMap((list, i) => [[`${LEAF}/${i}`, attributeSet(list)], [`${EMPTY}/${i}`, attributeSet(list)]])),
      aggregateAttributes: new Map(Object.entries(m.aggregateAttributes ?? {}).map(([t, list]) => [t, attributeSet(list)])),
      globals: new Map(Object.entries(m.globals ?? {})),
      infos: new Map(),
    };
    compiled.set(m, c);
  }
  return c;
}

function infoOf(type: string, m: CompiledModel): TypeInfo {
  let info = m.infos.get(type);
  if (!info) {
    const leaf = isLeaf(type);
    const other = isOther(type);
    const open = type === ANY || type === LAX;
    const { kind, type: lexical } = leafType(type);
    info = {
      leaf,
      lexical,
      empty: isEmpty(type),
      other,
      elementsOnly: !leaf && !open,
      particles: leaf || open || other ? undefined : m.types.get(type),
      choice: m.choices.has(type),
      attributes: open ? undefined : ((leaf ? m.leafAttributes.get(kind) : m.aggregateAttributes.get(type)) ?? NO_ATTRIBUTES),
    };
    m.infos.set(type, info);
  }
  return info;
}

interface Frame {
  /** the element as written */
  tag: string;
  /** its type: a key of `types`, a leaf's, ANY, a wildcard's (`#other:<n>`) or LAX */
  type: string;
  info: TypeInfo;
  particles?: Particle[];
  choice: boolean;
  /** the particle reached, and how many times it was met */
  pos: number;
  count: number;
  /** namespace bindings in scope inside it */
  scope: Scope;
  /** a typed leaf no rule judges: the type its text is checked against, and where that text starts */
  lexical: LexicalType | undefined;
  textFrom: number;
  /** the typed leaves in it whose values a rule judges (judgedByRules; undefined: all), null until one is met */
  judged: Set<string> | undefined | null;
}


const TAG = /<(?:(\/)?([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|!--[\s\S]*?-->|!\[CDATA\[([\s\S]*?)\]\]>|\?[\s\S]*?\?>)/g;
const NON_SPACE = /\S/;

/** Where the first character other than XML white space is in text[from, to); -1 for none. */
function firstNonSpace(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
  }
  return -1;
}

/** A value as written, white space collapsed, cut for a message. */
function shown(value: string): string {
  const v = value.replace(/[ \t\r\n]+/g, ' ').trim();
  return v.length > 40 ? `${v.slice(0, 37)}…` : v;
}

/** A name as written, cut for a message (a flow's reason holds 300 characters). */
function show(name: string): string {
  return name.length > 60 ? `${name.slice(0, 57)}…` : name;
}


const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"[^"]*"|'[^']*')/g;
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NO_ATTRIBUTES = { allowed: new Map<string, boolean>(), required: 0 };

/**
 * Why the attributes of an element of type `info` leave the schema (undefined when they keep
 * to it): a leaf takes the attributes of its data type (some required, as an amount's
 * currencyID), an element holding elements takes none. Namespace declarations and the
 * XML Schema instance attributes (xsi:schemaLocation…) are not attributes of the schema's;
 * but xsi:nil and xsi:type are refused (xmllint refuses the first always here, the second
 * unless it names the element's own type: that case is refused too, on the safe side).
 */
function attributeProblem(name: string, attrs: string, info: TypeInfo, m: CompiledModel, sc: Scope): string | undefined {
  if (info.attributes === undefined) return undefined;
  const { allowed, required: needed } = info.attributes;
  let required = 0;
  if (attrs.length > 0) {
    ATTRIBUTE.lastIndex = 0;
    for (let a = ATTRIBUTE.exec(attrs); a; a = ATTRIBUTE.exec(attrs)) {
      const n = a[1];
      if (n === 'xmlns' || n.startsWith('xmlns:')) continue;
      // by the namespace its prefix is bound to, not by the prefix (q9:schemaLocation is xsi's when
      // xmlns:q9 names XML Schema instance: it was refused as no attribute of the schema's)
      const colon = n.indexOf(':');
      if (colon > 0 && sc.get(n.slice(0, colon)) === XSI) {
        const local = n.slice(colon + 1);
        // no element of the official schemas is nillable, and every one has its type
        if (local === 'nil') return `<${show(name)}> has xsi:nil, but the ${m.name} schema makes no element nillable`;
        if (local === 'type') return `<${show(name)}> has xsi:type: the ${m.name} schema gives every element its own type, which an instance does not change`;
        continue;
      }
      const req = allowed.get(n);
      if (req === undefined) return `<${show(name)}> has an attribute ${show(n)}, which the ${m.name} schema does not allow on it`;
      if (req) required++;
    }
  }
  if (required < needed) {
    {
      const missingOnes = [...allowed].filter(([n, r]) => r && !new RegExp(`(?:^|\\s)${n}\\s*=`).test(attrs)).map(([n]) => n);
      return `<${show(name)}> lacks its attribute ${missingOnes.join(', ')}, which the ${m.name} schema requires`;
    }
  }
  return undefined;
}

/** A particle's element name for a message: `Name`, or `A or B` for a group. */
function nameOf(p: Particle): string {
  const local = (k: string) => k.slice(k.indexOf(':') + 1);
  return isGroup(p) ? p[0].slice(GROUP.length).split('|').map(local).join(' or ') : local(p[0]);
}

/** The type `key` takes as particle `p` (itself, or one of a group's alternatives); undefined when `p` is not it. */
function typeAt(p: Particle, key: string | undefined, m: CompiledModel): string | undefined {
  if (key === undefined) return undefined;
  if (p[0] === key) return p[3];
  if (!isGroup(p)) return undefined;
  return (m.types.get(p[3]) as Particle[]).find((q) => q[0] === key)?.[3];
}

/** What may come next in `f` (for the message): the particles from where it stands to the first required one. */
function expected(f: Frame): string {
  const ps = f.particles ?? [];
  if (f.choice) return ps.map(nameOf).join(' or ');
  const out: string[] = [];
  for (let i = f.pos; i < ps.length; i++) {
    const p = ps[i];
    if (i === f.pos && f.count > 0 && (p[2] === -1 || f.count < p[2])) out.push(nameOf(p));
    else if (i > f.pos || f.count === 0) out.push(nameOf(p));
    if (p[1] > (i === f.pos ? f.count : 0)) break;
    if (out.length >= 6) {
      out.push('…');
      break;
    }
  }
  return out.length ? out.join(', ') : 'nothing more';
}

function missing(f: Frame): Particle | undefined {
  const ps = f.particles ?? [];
  if (f.choice) return f.count === 0 ? ps[0] : undefined;
  for (let i = f.pos; i < ps.length; i++) if (ps[i][1] > (i === f.pos ? f.count : 0)) return ps[i];
  return undefined;
}

/*
 * Names resolved at module level, not as closures of each checkStructure call: those lost their
 * optimized code at every full collection (docs/PERFORMANCE.md, thirty-first round).
 */
function namespaceOf(qname: string, sc: Scope): string | undefined {
  const c = qname.indexOf(':');
  // an unprefixed name with no default namespace in scope is in no namespace (the pivot's)
  return c < 0 ? (sc.get('') ?? '') : sc.get(qname.slice(0, c));
}

/** The model's key of an element name (`<namespace index>:<local name>`), undefined when its namespace is not the model's. */
function resolveKey(qname: string, sc: Scope, m: CompiledModel): string | undefined {
  const c = qname.indexOf(':');
  const ns = namespaceOf(qname, sc);
  const i = ns === undefined ? undefined : m.nsIndex.get(ns);
  return i === undefined ? undefined : `${i}:${c < 0 ? qname : qname.slice(c + 1)}`;
}

/** resolveKey through `keys`, the keys of the names under the document's own bindings (null: no key). */
function knownKey(keys: Map<string, string | null>, qname: string, sc: Scope, m: CompiledModel): string | undefined {
  let k = keys.get(qname);
  if (k === undefined) keys.set(qname, (k = resolveKey(qname, sc, m) ?? null));
  return k ?? undefined;
}

/**
 * The first place where `text` (a well-formed UBL or CII document) leaves its schema's
 * element structure; undefined when it keeps to it.
 */
export function checkStructure(text: string, model: ContentModel): StructureProblem | undefined {
  const m = compile(model);
  const schema = m.name;
  const stack: Frame[] = [];
  let scope: Scope = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);
  let last = 0; // end of the previous markup: the text between belongs to the innermost frame
  let skipDepth = 0; // inside ANY content
  let rootScope: Scope | undefined;
  // the document's own bindings name nearly every element: their keys are made once
  const keys = new Map<string, string | null>(); // null: no key
  // an element with the local name of one expected in `f` but in another namespace (a prefix
  // bound elsewhere, no prefix under another default namespace): said so, where the message would
  // otherwise read "<Note> is not allowed here: the schema expects Note"
  const otherNamespace = (qname: string, sc: Scope, f: Frame): string | undefined => {
    const local = qname.slice(qname.indexOf(':') + 1);
    const keys = (f.particles ?? []).flatMap((p) => (isGroup(p) ? p[0].slice(GROUP.length).split('|') : [p[0]]));
    const same = keys.find((k) => k.slice(k.indexOf(':') + 1) === local);
    if (same === undefined) return undefined;
    const theirs = namespaceOf(qname, sc);
    const wanted = m.namespaces[Number(same.slice(0, same.indexOf(':')))];
    if (theirs === wanted) return undefined;
    return `<${show(qname)}> in <${show(f.tag)}> is in ${theirs ? `the namespace "${theirs}"` : 'no namespace'}, where the ${schema} schema expects its ${local} in "${wanted}" (is its prefix bound to the right namespace?)`;
  };
  TAG.lastIndex = 0;
  for (let t = TAG.exec(text); t; t = TAG.exec(text)) {
    const top = stack[stack.length - 1];
    // text (or CDATA) in an element that holds elements only
    if (top && skipDepth === 0 && top.info.elementsOnly) {
      const at = firstNonSpace(text, last, t.index);
      const cdata = t[5];
      if (at >= 0 || (cdata !== undefined && NON_SPACE.test(cdata))) {
        return { index: at >= 0 ? at : t.index, message: `<${show(top.tag)}> holds text, where the ${schema} schema allows only elements` };
      }
    }
    // any character in empty content, white space included (a comment is no character)
    if (top && skipDepth === 0 && top.info.empty && (t.index > last || (t[5] !== undefined && t[5].length > 0))) {
      return { index: last, message: `<${show(top.tag)}> holds text, where the ${schema} schema allows nothing (its content is empty)` };
    }
    last = TAG.lastIndex;
    const name = t[2];
    if (name === undefined) continue; // comment, CDATA (in a leaf), processing instruction
    if (t[1] === '/') {
      if (skipDepth > 0) {
        skipDepth--;
        continue;
      }
      const f = stack.pop() as Frame;
      if (f.lexical !== undefined) {
        const value = textOf(text, f.textFrom, t.index);
        const why = lexicalProblem(f.lexical, value);
        if (why) return { index: f.textFrom, message: `<${show(f.tag)}> holds "${shown(value)}", which is not ${why}, as the ${schema} schema requires` };
      }
      if (f.info.other && f.count === 0) return { index: t.index, message: `<${show(f.tag)}> ends empty, where the ${schema} schema requires one element in it (of another namespace than the extension's)` };
      const want = missing(f);
      if (want) return { index: t.index, message: `<${show(f.tag)}> ends without <${nameOf(want)}>, which the ${schema} schema requires there` };
      scope = stack.length ? stack[stack.length - 1].scope : scope;
      continue;
    }
    const selfClosing = t[4] === '/';
    if (skipDepth > 0) {
      if (!selfClosing) skipDepth++;
      continue;
    }
    const inner = withDeclarations(t[3] ?? '', top ? top.scope : scope);
    if (!top) rootScope = inner;
    const key = inner === rootScope ? knownKey(keys, name, inner, m) : resolveKey(name, inner, m);
    let type: string | undefined;
    if (!top) {
      type = key === undefined ? undefined : m.roots.get(key);
      if (type === undefined) return { index: t.index, message: `<${show(name)}> is not a document element of the ${schema} schema` };
    } else {
      if (top.type === ANY) {
        if (!selfClosing) skipDepth = 1;
        continue;
      }
      if (top.info.leaf) return { index: t.index, message: `<${show(top.tag)}> holds an element <${show(name)}>, where the ${schema} schema allows ${top.info.empty ? 'nothing' : 'only text'}` };
      const ps = top.particles as Particle[];
      if (top.info.other) {
        // ExtensionContent: one element of another namespace, checked if the schemas declare it
        if (top.count > 0) return { index: t.index, message: `<${show(name)}> is not allowed in <${show(top.tag)}>: the ${schema} schema allows one element there, once` };
        if (namespaceOf(name, inner) === m.namespaces[Number(top.type.slice(OTHER.length))]) {
          return { index: t.index, message: `<${show(name)}> is not allowed in <${show(top.tag)}>: the ${schema} schema expects there an element of another namespace than the extension's` };
        }
        top.count = 1;
        type = (key !== undefined && m.globals.get(key)) || LAX;
      } else if (top.type === LAX) {
        type = (key !== undefined && m.globals.get(key)) || LAX;
      } else if (top.choice) {
        const hit = key === undefined ? undefined : ps.find((p) => p[0] === key);
        if (!hit || top.count > 0) return { index: t.index, message: (!hit && otherNamespace(name, inner, top)) || `<${show(name)}> is not allowed in <${show(top.tag)}>: the ${schema} schema expects one of ${expected(top)}, once` };
        top.count = 1;
        type = hit[3];
      } else {
        // walk the sequence to this element: what it passes must have been met often enough
        let i = top.pos;
        let count = top.count;
        let at: string | undefined;
        while (i < ps.length && (at = typeAt(ps[i], key, m)) === undefined) {
          if (count < ps[i][1]) return { index: t.index, message: otherNamespace(name, inner, top) ?? `<${show(name)}> is not allowed in <${show(top.tag)}> here: the ${schema} schema expects ${expected(top)} (in this order)` };
          i++;
          count = 0;
        }
        if (i === ps.length) {
          const known = ps.some((p) => typeAt(p, key, m) !== undefined);
          const why = known ? `out of the ${schema} schema's order or more often than it allows` : `not an element the ${schema} schema allows in it`;
          return { index: t.index, message: (!known && otherNamespace(name, inner, top)) || `<${show(name)}> in <${show(top.tag)}> is ${why}; expected here: ${expected(top)}` };
        }
        if (ps[i][2] !== -1 && count >= ps[i][2]) {
          const allows = isGroup(ps[i]) ? `one of ${nameOf(ps[i])}, ${ps[i][2] === 1 ? 'once' : `${ps[i][2]} times`}` : `${ps[i][2]}`;
          return { index: t.index, message: `<${show(name)}> appears in <${show(top.tag)}> more often than the ${schema} schema allows (${allows})` };
        }
        top.pos = i;
        top.count = count + 1;
        type = at as string;
      }
    }
    const info = infoOf(type, m);
    const badAttribute = attributeProblem(name, t[3] ?? '', info, m, inner);
    if (badAttribute) return { index: t.index, message: badAttribute };
    // a typed leaf's text is checked unless a rule judges that value (judgedByRules, asked once per parent)
    let lexical: LexicalType | undefined;
    if (info.lexical !== undefined && top) {
      if (top.judged === null) top.judged = judgedByRules(schema, top.tag, stack[stack.length - 2]?.tag, stack[0].tag);
      if (top.judged !== undefined && !top.judged.has(name.slice(name.indexOf(':') + 1))) lexical = info.lexical;
    }
    const frame: Frame = { tag: name, type, info, particles: info.particles, choice: info.choice, pos: 0, count: 0, scope: inner, lexical, textFrom: last, judged: null };
    if (selfClosing) {
      const why = lexical === undefined ? undefined : lexicalProblem(lexical, '');
      if (why) return { index: t.index, message: `<${show(name)}> is empty, which is not ${why}, as the ${schema} schema requires` };
      if (info.other) return { index: t.index, message: `<${show(name)}> is empty, where the ${schema} schema requires one element in it (of another namespace than the extension's)` };
      const want = missing(frame);
      if (want) return { index: t.index, message: `<${show(name)}> is empty, where the ${schema} schema requires <${nameOf(want)}> in it` };
      continue;
    }
    stack.push(frame);
  }
  return undefined;
}
