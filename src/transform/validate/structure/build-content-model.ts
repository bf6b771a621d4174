/**
 * Reads the official XSDs (../shared/corpus/schemas: UBL 2.1, CII D16B, CPPFacturePivot V2_02,
 * CPPStatut V1_19) into the tables of content-model.ts, written to schemas/*.structure.json:
 *
 *   npm run schemas:structure [-- <corpus schemas folder>]
 *
 * A test rebuilds them from the corpus and compares, so the tables cannot drift from the XSDs.
 * Only what the schemas use is read: global elements (UBL refers to them), local elements
 * (CII declares them in place), complex types with a sequence, simple content (a leaf), and
 * UBL's ExtensionContent (one `xsd:any namespace="##other" processContents="lax"`). Anything
 * else stops the build: the tables would be wrong.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { ANY, EMPTY, GROUP, isGroup, isLeaf, isOther, LEAF, OTHER, typedLeaf, type ContentModel, type Particle } from './content-model';
import { projectRoot } from '../../../util/project-root';

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: false, commentPropName: '#comment' });

const XSD = 'http://www.w3.org/2001/XMLSchema';

interface SchemaDoc {
  file: string;
  target: string;
  prefixes: Map<string, string>;
  body: Ordered[];
}

function nameOf(n: Ordered): string {
  return Object.keys(n).find((k) => k !== ':@') as string;
}

function childrenOf(n: Ordered): Ordered[] {
  return (n[nameOf(n)] as Ordered[]) ?? [];
}

function readSchema(file: string): SchemaDoc {
  const doc = parser.parse(readFileSync(file, 'utf8')) as Ordered[];
  const schema = doc.find((n) => nameOf(n).endsWith('schema'));
  if (!schema) throw new Error(`${file}: no xsd:schema`);
  const attrs = schema[':@'] ?? {};
  const prefixes = new Map<string, string>();
  for (const [k, v] of Object.entries(attrs)) if (k === 'xmlns') prefixes.set('', v);
  else if (k.startsWith('xmlns:')) prefixes.set(k.slice(6), v);
  return { file, target: attrs.targetNamespace ?? '', prefixes, body: childrenOf(schema) };
}

/** `prefix:local` in the schema's scope → `{uri}local` */
function resolve(s: SchemaDoc, qname: string): { ns: string; local: string } {
  const c = qname.indexOf(':');
  const prefix = c < 0 ? '' : qname.slice(0, c);
  // an unprefixed name with no default namespace is in no namespace (the pivot's schema)
  const ns = s.prefixes.get(prefix) ?? (prefix === '' ? '' : undefined);
  if (ns === undefined) throw new Error(`${s.file}: prefix of ${qname} unbound`);
  return { ns, local: c < 0 ? qname : qname.slice(c + 1) };
}

function isXsd(s: SchemaDoc, n: Ordered, local: string): boolean {
  const name = nameOf(n);
  const c = name.indexOf(':');
  return (c < 0 ? name : name.slice(c + 1)) === local && s.prefixes.get(c < 0 ? '' : name.slice(0, c)) === XSD;
}

const META = new Set(['annotation', '#comment', 'import', 'include']);

function occurs(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  return v === 'unbounded' ? -1 : Number(v);
}

/** Builds the model of the schemas reachable from `files` (every file of the set, read whole). */
export function buildContentModel(name: string, files: string[], roots: string[]): ContentModel {
  const schemas = files.map(readSchema);
  const namespaces: string[] = [];
  const nsIndex = (ns: string) => {
    let i = namespaces.indexOf(ns);
    if (i < 0) i = namespaces.push(ns) - 1;
    return i;
  };
  const key = (ns: string, local: string) => `${nsIndex(ns)}:${local}`;

  // global elements → type; complex types → content
  const globalElements = new Map<string, string>(); // {ns}name → type key
  const typeNodes = new Map<string, { s: SchemaDoc; node: Ordered }>();
  const simpleTypes = new Map<string, { s: SchemaDoc; node: Ordered }>();
  const typeRef = (s: SchemaDoc, qname: string): string => {
    const t = resolve(s, qname);
    return t.ns === XSD ? typedLeaf(LEAF, t.local) : key(t.ns, t.local);
  };
  /** The built-in type a simple type (`xsd:simpleType`) restricts, down its chain; undefined for a list or union. */
  const builtinOfSimple = (sc: SchemaDoc, simple: Ordered): string | undefined => {
    const r = childrenOf(simple).find((x) => isXsd(sc, x, 'restriction'));
    const base = (r?.[':@'] ?? {}).base;
    if (base === undefined) return undefined;
    const b = resolve(sc, base);
    if (b.ns === XSD) return b.local;
    const named = simpleTypes.get(key(b.ns, b.local));
    if (!named) throw new Error(`${sc.file}: simple type ${base} is not declared in the schemas read`);
    return builtinOfSimple(named.s, named.node);
  };
  /** The built-in type of simple content, down its chain of bases (complex types of simple content, simple types). */
  const builtinOfContent = (sc: SchemaDoc, simpleContent: Ordered): string | undefined => {
    const d = childrenOf(simpleContent).find((x) => isXsd(sc, x, 'extension') || isXsd(sc, x, 'restriction'));
    const b = resolve(sc, (d?.[':@'] ?? {}).base);
    if (b.ns === XSD) return b.local;
    const t = key(b.ns, b.local);
    const simple = simpleTypes.get(t);
    if (simple) return builtinOfSimple(simple.s, simple.node);
    const found = typeNodes.get(t);
    const inner = found && childrenOf(found.node).find((x) => isXsd(found.s, x, 'simpleContent'));
    if (!found || !inner) throw new Error(`${sc.file}: the base ${t} of a simple content is not a simple-content type of the schemas read`);
    return builtinOfContent(found.s, inner);
  };
  /** The type an element declares in place (the pivot's way): a key of its own, `<ns>:<name>#<n>` */
  let inlineCount = 0;
  const inlineType = (s: SchemaDoc, element: Ordered, name: string): string => {
    const complex = childrenOf(element).find((x) => isXsd(s, x, 'complexType'));
    if (!complex) {
      const simple = childrenOf(element).find((x) => isXsd(s, x, 'simpleType'));
      if (simple) return typedLeaf(LEAF, builtinOfSimple(s, simple));
      // no type at all: xs:anyType, which takes anything (the pivot's Fournisseur/Identifiant)
      return ANY;
    }
    const t = `${key(s.target, name)}#${inlineCount++}`;
    typeNodes.set(t, { s, node: complex });
    return t;
  };
  for (const s of schemas) {
    for (const n of s.body) {
      const a = n[':@'] ?? {};
      if (isXsd(s, n, 'element')) {
        globalElements.set(`{${s.target}}${a.name}`, a.type ? typeRef(s, a.type) : inlineType(s, n, a.name));
      } else if (isXsd(s, n, 'complexType')) typeNodes.set(key(s.target, a.name), { s, node: n });
      else if (isXsd(s, n, 'simpleType')) simpleTypes.set(key(s.target, a.name), { s, node: n });
      else if (!META.has(nameOf(n).replace(/^.*:/, ''))) throw new Error(`${s.file}: unexpected top-level ${nameOf(n)}`);
    }
  }

  const types: Record<string, Particle[]> = {};
  const choices = new Set<string>();
  const typeAttributes: Record<string, [string, boolean][]> = {};
  // the attributes of simple-content types, down their chain of bases: an extension adds, a
  // restriction redeclares (or prohibits) by name
  const leafAttributes: [string, boolean][][] = [];
  const leafKey = (attrs: Map<string, boolean>, kind: typeof LEAF | typeof EMPTY = LEAF): string => {
    if (attrs.size === 0) return kind;
    const list = [...attrs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const sig = JSON.stringify(list);
    let i = leafAttributes.findIndex((l) => JSON.stringify(l) === sig);
    if (i < 0) i = leafAttributes.push(list) - 1;
    return `${kind}/${i}`;
  };
  const attributesOfContent = (sc: SchemaDoc, simpleContent: Ordered): Map<string, boolean> => {
    const d = childrenOf(simpleContent).find((x) => isXsd(sc, x, 'extension') || isXsd(sc, x, 'restriction'));
    if (!d) throw new Error(`${sc.file}: simple content without extension or restriction`);
    const base = resolve(sc, (d[':@'] ?? {}).base);
    const attrs = new Map(base.ns === XSD ? [] : attributesOfType(key(base.ns, base.local)));
    for (const a of childrenOf(d)) {
      if (isXsd(sc, a, 'attributeGroup') || isXsd(sc, a, 'anyAttribute')) throw new Error(`${sc.file}: ${nameOf(a)} is not read`);
      if (!isXsd(sc, a, 'attribute')) continue;
      const at = a[':@'] ?? {};
      if (!at.name) throw new Error(`${sc.file}: an attribute by reference is not read`);
      if (at.use === 'prohibited') attrs.delete(at.name);
      else attrs.set(at.name, at.use === 'required');
    }
    return attrs;
  };
  const attributesOfType = (t: string): Map<string, boolean> => {
    if (simpleTypes.has(t)) return new Map();
    const found = typeNodes.get(t);
    if (!found) throw new Error(`type ${t} is not declared in the schemas read`);
    const sc = childrenOf(found.node).find((x) => isXsd(found.s, x, 'simpleContent'));
    if (!sc) throw new Error(`${found.s.file}: ${t} is not a simple-content type`);
    return attributesOfContent(found.s, sc);
  };
  const kinds = new Map<string, string>(); // type key → LEAF | ANY | itself
  let choiceCount = 0;
  const kindOf = (t: string): string => {
    const simple = simpleTypes.get(t);
    if (simple) return typedLeaf(LEAF, builtinOfSimple(simple.s, simple.node));
    if (isLeaf(t)) return t;
    if (t === ANY || isOther(t)) return t;
    const known = kinds.get(t);
    if (known) return known;
    const found = typeNodes.get(t);
    if (!found) {
      if (t.startsWith(`${nsIndex(XSD)}:`)) return typedLeaf(LEAF, t.slice(t.indexOf(':') + 1)); // xsd:string…
      throw new Error(`type ${t} (${namespaces[Number(t.split(':')[0])]}) is not declared in the schemas read`);
    }
    kinds.set(t, t); // before the walk: recursive types
    const own = new Map<string, boolean>();
    for (const at of childrenOf(found.node).filter((c) => isXsd(found.s, c, 'attribute'))) own.set((at[':@'] ?? {}).name, (at[':@'] ?? {}).use === 'required');
    const content = childrenOf(found.node).filter((c) => !META.has(nameOf(c).replace(/^.*:/, '')) && !isXsd(found.s, c, 'attribute') && !isXsd(found.s, c, 'attributeGroup'));
    if (content.length === 0) {
      const leaf = leafKey(own, EMPTY); // attributes only: no text either
      kinds.set(t, leaf);
      return leaf;
    }
    if (content.length !== 1) throw new Error(`${found.s.file}: type ${t} has ${content.length} content parts`);
    const c = content[0];
    if (isXsd(found.s, c, 'simpleContent')) {
      const leaf = typedLeaf(leafKey(attributesOfContent(found.s, c)), builtinOfContent(found.s, c));
      kinds.set(t, leaf);
      return leaf;
    }
    const choice = isXsd(found.s, c, 'choice');
    if (!choice && !isXsd(found.s, c, 'sequence')) throw new Error(`${found.s.file}: type ${t} has ${nameOf(c)}, not a sequence or a choice`);
    const particles: Particle[] = [];
    const parts = childrenOf(c).filter((p) => !META.has(nameOf(p).replace(/^.*:/, '')));
    if (parts.length === 1 && isXsd(found.s, parts[0], 'any')) {
      const a = parts[0][':@'] ?? {};
      if (a.namespace !== '##other' || a.processContents !== 'lax' || occurs(a.minOccurs, 1) !== 1 || occurs(a.maxOccurs, 1) !== 1) {
        throw new Error(`${found.s.file}: type ${t} has an xsd:any other than UBL's (##other, lax, once)`);
      }
      const wildcard = `${OTHER}${nsIndex(found.s.target)}`;
      kinds.set(t, wildcard);
      return wildcard;
    }
    const elementParticle = (p: Ordered): Particle => {
      const a = p[':@'] ?? {};
      let el: { ns: string; local: string };
      let elType: string;
      if (a.ref) {
        el = resolve(found.s, a.ref);
        const g = globalElements.get(`{${el.ns}}${el.local}`);
        if (!g) throw new Error(`${found.s.file}: ${a.ref} is not a global element of the schemas read`);
        elType = g;
      } else {
        el = { ns: found.s.target, local: a.name };
        // a type by name, or one in place (CII's DateTimeString, the pivot's simple types)
        elType = a.type ? typeRef(found.s, a.type) : inlineType(found.s, p, a.name);
      }
      return [key(el.ns, el.local), occurs(a.minOccurs, 1), occurs(a.maxOccurs, 1), elType];
    };
    const keysOf = (q: Particle): string[] => (isGroup(q) ? types[q[3]].map((x) => x[0]) : [q[0]]);
    for (const p of parts) {
      let particle: Particle;
      if (isXsd(found.s, p, 'choice') && !choice) {
        // a choice of single elements inside the sequence (CPPStatut's CPPFluxStatuts or
        // CPPFactureStatuts): a group particle whose alternatives are a choice type of their own
        const alternatives = childrenOf(p).filter((x) => !META.has(nameOf(x).replace(/^.*:/, '')));
        if (!alternatives.every((x) => isXsd(found.s, x, 'element'))) throw new Error(`${found.s.file}: a choice in ${t} holds more than elements`);
        const group = `${t}#choice${choiceCount++}`;
        types[group] = alternatives.map(elementParticle);
        if (types[group].some((q) => q[1] !== 1 || q[2] !== 1)) throw new Error(`${found.s.file}: a choice in ${t} with occurrence bounds on its elements`);
        choices.add(group);
        kinds.set(group, group);
        const a = p[':@'] ?? {};
        particle = [`${GROUP}${types[group].map((q) => q[0]).join('|')}`, occurs(a.minOccurs, 1), occurs(a.maxOccurs, 1), group];
      } else if (isXsd(found.s, p, 'element')) particle = elementParticle(p);
      else throw new Error(`${found.s.file}: type ${t} has a ${nameOf(p)} in its ${choice ? 'choice' : 'sequence'}`);
      const taken = particles.flatMap(keysOf);
      const twice = keysOf(particle).find((k) => taken.includes(k));
      if (twice) throw new Error(`${found.s.file}: ${twice} twice in the content of ${t}`);
      particles.push(particle);
    }
    if (choice) {
      // one of them, once: written as the choices' own table
      if (particles.some((q) => q[1] !== 1 || q[2] !== 1)) throw new Error(`${found.s.file}: a choice in ${t} with occurrence bounds`);
      choices.add(t);
    }
    types[t] = particles;
    if (own.size > 0) typeAttributes[t] = [...own.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    return t;
  };
  // resolve every particle's type to its kind, depth first from the roots
  const rootTypes: Record<string, string> = {};
  const seen = new Set<string>();
  const walk = (t: string) => {
    const k = kindOf(t);
    if (isLeaf(k) || k === ANY || isOther(k) || seen.has(k)) return;
    seen.add(k);
    for (const p of types[k]) {
      p[3] = kindOf(p[3]);
      walk(p[3]);
    }
  };
  for (const r of roots) {
    const t = globalElements.get(r);
    if (!t) throw new Error(`root ${r} is not a global element`);
    const m = /^\{(.*)\}(.*)$/.exec(r) as RegExpExecArray;
    rootTypes[key(m[1], m[2])] = kindOf(t);
    walk(t);
  }
  // a wildcard's lax content may hold any global element: their types are reachable too
  let globals: Record<string, string> | undefined;
  if ([...kinds.values()].some(isOther)) {
    globals = {};
    for (const [g, t] of [...globalElements].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const m = /^\{(.*)\}(.*)$/.exec(g) as RegExpExecArray;
      globals[key(m[1], m[2])] = kindOf(t);
      walk(t);
    }
  }
  // only the types reachable from the roots, in a stable order
  const reachable: Record<string, Particle[]> = {};
  for (const t of [...seen].sort()) reachable[t] = types[t];
  const aggregateAttributes: Record<string, [string, boolean][]> = {};
  for (const t of Object.keys(reachable)) if (typeAttributes[t]) aggregateAttributes[t] = typeAttributes[t];
  return { name, namespaces, roots: rootTypes, types: reachable, choices: [...choices].filter((t) => seen.has(t)).sort(), leafAttributes, aggregateAttributes, ...(globals ? { globals } : {}) };
}

const UBL_NS = 'urn:oasis:names:specification:ubl:schema:xsd:';
const CII_NS = 'urn:un:unece:uncefact:data:standard:';

export function buildUbl(dir: string): ContentModel {
  const common = ['UBL-CommonAggregateComponents-2.1.xsd', 'UBL-CommonBasicComponents-2.1.xsd', 'UBL-CommonExtensionComponents-2.1.xsd', 'UBL-ExtensionContentDataType-2.1.xsd', 'UBL-UnqualifiedDataTypes-2.1.xsd', 'UBL-QualifiedDataTypes-2.1.xsd', 'CCTS_CCT_SchemaModule-2.1.xsd'];
  const files = [...['UBL-Invoice-2.1.xsd', 'UBL-CreditNote-2.1.xsd'].map((f) => path.join(dir, 'ubl-2.1', 'maindoc', f)), ...common.map((f) => path.join(dir, 'ubl-2.1', 'common', f))];
  return buildContentModel('UBL 2.1', files, [`{${UBL_NS}Invoice-2}Invoice`, `{${UBL_NS}CreditNote-2}CreditNote`]);
}

export function buildCii(dir: string): ContentModel {
  const files = ['CrossIndustryInvoice_100pD16B.xsd', 'CrossIndustryInvoice_ReusableAggregateBusinessInformationEntity_100pD16B.xsd', 'CrossIndustryInvoice_QualifiedDataType_100pD16B.xsd', 'CrossIndustryInvoice_UnqualifiedDataType_100pD16B.xsd'].map((f) => path.join(dir, 'cii-d16b', f));
  return buildContentModel('CII D16B', files, [`{${CII_NS}CrossIndustryInvoice:100}CrossIndustryInvoice`]);
}

export function buildPivot(dir: string): ContentModel {
  return buildContentModel('CPPFacturePivot V2_02', [path.join(dir, 'chorus', 'CPPFacturePivot_V2_02.xsd')], ['{}CPPFacturePivot']);
}

export function buildStatut(dir: string): ContentModel {
  return buildContentModel('CPPStatut V1_19', [path.join(dir, 'chorus', 'CPPStatutPivot_V1_19.xsd')], ['{}CPPStatut']);
}

export const STRUCTURE_FILES = { ubl: 'ubl-2.1.structure.json', cii: 'cii-d16b.structure.json', pivot: 'cpp-facture-pivot-v2_02.structure.json', statut: 'cpp-statut-v1_19.structure.json' } as const;

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? path.join(projectRoot(), '..', 'shared', 'corpus', 'schemas'));
  for (const [which, model] of [['ubl', buildUbl(dir)], ['cii', buildCii(dir)], ['pivot', buildPivot(dir)], ['statut', buildStatut(dir)]] as const) {
    const out = path.join(projectRoot(), 'schemas', STRUCTURE_FILES[which]);
    writeFileSync(out, JSON.stringify(model) + '\n');
    process.stdout.write(`wrote ${out}: ${Object.keys(model.types).length} types\n`);
  }
}
