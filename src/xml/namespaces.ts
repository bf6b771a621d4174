/**
 * The reader takes elements by their local names, so a UBL or CII file whose prefixes are
 * bound to other namespaces (`xmlns:cbc="urn:typo"`) would be read as if it were right —
 * where the official schemas and schematrons, which resolve namespaces, see none of its
 * content. This finds such an element, so that the file is refused.
 *
 * Nearly every file binds only its syntax's namespaces, and others only to prefixes no element
 * uses: then nothing can be in another namespace, and a look at its few `xmlns` declarations
 * says so. Otherwise its tags are read in order,
 * with the declarations in scope, outside UBL extensions (which may hold anything), comments,
 * CDATA sections and processing instructions. A prefix bound nowhere never gets here: the
 * well-formedness check refuses it first (well-formed.ts), for every kind of flux.
 */
export const NAMESPACES = {
  UBL: [
    'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
    'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
    'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
    'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
    'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2',
  ],
  CII: [
    'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
    'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
    'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
    'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  ],
} as const;

export interface NamespaceProblem {
  /** the element as written, e.g. cbc:Note */
  element: string;
  /** the namespace it is in; undefined for none (an unprefixed element with no default namespace) */
  namespace?: string;
  /** offset in the text */
  index: number;
}

const DECLARATION = /\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const DECLARATIONS = /\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const TAG = /<(\/?)([A-Za-z_][\w.-]*)(?::([A-Za-z_][\w.-]*))?((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
/** what may hold "<x:y" without being an element, and UBL extensions (any content) */
const SKIPPED = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<([A-Za-z_][\w.-]*:)?UBLExtensions\b[\s\S]*?<\/([A-Za-z_][\w.-]*:)?UBLExtensions\s*>/g;

/** The namespace bindings in scope: prefix ('' for the default namespace) → URI. */
export type Scope = ReadonlyMap<string, string>;
const EMPTY: Scope = new Map();

/** The first element, in document order, in a namespace not among `allowed`; the text is well-formed. */
export function foreignElement(text: string, allowed: readonly string[]): NamespaceProblem | undefined {
  if (onlyAllowedBindings(text, allowed)) return undefined;
  const judged = text.replace(SKIPPED, (s) => ' '.repeat(s.length));
  const stack: Scope[] = [];
  let scope = EMPTY;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(judged); m; m = TAG.exec(judged)) {
    if (m[1] === '/') {
      scope = stack.pop() ?? EMPTY;
      continue;
    }
    const own = m[4] ? withDeclarations(m[4], scope) : scope;
    const prefix = m[3] === undefined ? '' : m[2];
    const namespace = own.get(prefix) || undefined; // xmlns="" undoes the default namespace
    // a prefix bound nowhere was refused before (see above); an unprefixed child needs a default namespace
    const foreign = namespace === undefined ? prefix === '' && stack.length > 0 : !allowed.includes(namespace);
    if (foreign) return { element: m[3] === undefined ? m[2] : `${m[2]}:${m[3]}`, namespace, index: m.index };
    if (m[5] !== '/') {
      stack.push(scope);
      scope = own;
    }
  }
  return undefined;
}

/**
 * Every `xmlns` declaration of the text binds an allowed namespace, or a prefix no element
 * uses (`xsi`, `xs`: attributes and types). Comments and extensions are not told apart: a
 * false "no" costs only the full read.
 */
function onlyAllowedBindings(text: string, allowed: readonly string[]): boolean {
  for (let i = text.indexOf('xmlns'); i >= 0; i = text.indexOf('xmlns', i + 5)) {
    DECLARATION.lastIndex = Math.max(0, i - 1);
    const d = DECLARATION.exec(text);
    if (!d || allowed.includes(d[2] ?? d[3])) continue;
    if (d[1] === undefined || text.includes(`<${d[1]}:`)) return false;
  }
  return true;
}

const XML_ENTITY = /&(?:amp|lt|gt|quot|apos);/g;
const ENTITY_TEXT: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

/** The bindings in scope inside an element whose attributes are `attributes` (the parent's when it declares none). */
export function withDeclarations(attributes: string, parent: Scope): Scope {
  if (!attributes.includes('xmlns')) return parent;
  let scope: Map<string, string> | undefined;
  DECLARATIONS.lastIndex = 0;
  for (let d = DECLARATIONS.exec(attributes); d; d = DECLARATIONS.exec(attributes)) {
    scope ??= new Map(parent);
    // a namespace name is compared as written: " urn:x " is not urn:x
    scope.set(d[1] ?? '', (d[2] ?? d[3]).replace(XML_ENTITY, (e) => ENTITY_TEXT[e]));
  }
  return scope ?? parent;
}
