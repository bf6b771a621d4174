/**
 * The content models of the official schemas (UBL 2.1, CII D16B, CPPFacturePivot V2_02,
 * CPPStatut V1_19), as tables: for each complex type,
 * the sequence of child elements it allows (name, least and most occurrences, their type).
 * Read from the official XSDs by `build-content-model.ts` into `schemas/*.structure.json`;
 * `structure.ts` checks a document against them.
 *
 * The schemas are sequences of distinct elements all the way down (no repeated particle; CII's
 * date, date-time and indicator types are a choice of two leaves; CPPStatut's root holds a
 * choice of two elements inside its sequence): a sequence walked once in order decides
 * membership exactly as a schema validator does for the element structure.
 */

/** `<namespace index>:<local name>`, e.g. `2:Party` */
export type ElementKey = string;
/** `<namespace index>:<type name>` of a complex type, or a content kind */
export type TypeKey = string;

/**
 * Text only, no child element (a basic component, a data type), and no attribute. A leaf
 * with attributes is `#leaf/<n>`, n indexing `leafAttributes`. A leaf whose text is of a
 * built-in type checked (LEXICAL_TYPES) says which after a tilde: `#leaf~date`, `#leaf/2~decimal`.
 */
export const LEAF = '#leaf';
/**
 * Empty content (an `xs:complexType` with no particle, CPPStatut's Producteur): no element and
 * no character, not even white space. With attributes it is `#empty/<n>`, as a leaf's.
 */
export const EMPTY = '#empty';
/** Anything (xs:anyType, the pivot's untyped Fournisseur/Identifiant): not looked into. */
export const ANY = '#any';
/**
 * UBL's ExtensionContent, `xsd:any namespace="##other" processContents="lax"` once:
 * `#other:<n>` holds exactly one element, of a namespace other than namespace n (the
 * extension components' own; an element of no namespace is taken, as xmllint takes it).
 * Lax: an element the schemas declare globally (`globals`) is checked against its
 * declaration, wherever it stands inside; any other is not, but what it holds is looked
 * into the same way.
 */
export const OTHER = '#other:';

/** Whether a type key is a wildcard's (`#other:<n>`). */
export function isOther(t: TypeKey): boolean {
  return t.startsWith(OTHER);
}

/**
 * One particle of a sequence: element, minOccurs, maxOccurs (-1: unbounded), its type. A
 * choice of single elements nested in a sequence (CPPStatut's) is a group particle: its key
 * `#group:<key>|<key>…` names the alternatives for the messages, its type is a choice type
 * (in `types` and `choices`) holding them, and its bounds are the choice's.
 */
export type Particle = [ElementKey, number, number, TypeKey];

/** The key prefix of a group particle. */
export const GROUP = '#group:';

export function isGroup(p: Particle): boolean {
  return p[0].startsWith(GROUP);
}

export interface ContentModel {
  /** what the schema is (shown in messages) */
  name: string;
  /** namespace URIs, indexed by the keys */
  namespaces: string[];
  /** the document elements and their types */
  roots: Record<ElementKey, TypeKey>;
  /** complex types with element content, in the schema's order */
  types: Record<TypeKey, Particle[]>;
  /** the types whose particles are a choice (exactly one of them) rather than a sequence */
  choices: TypeKey[];
  /** the attributes each kind of leaf (or of empty content) allows: [name, required] (unqualified names) */
  leafAttributes: [string, boolean][][];
  /** the attributes of the complex types that have some (the pivot's NumOrdre, Version…); the others take none */
  aggregateAttributes: Record<TypeKey, [string, boolean][]>;
  /**
   * every global element of the schemas read and its type, for the lax content of a
   * wildcard (`#other:<n>`); only in the tables of schemas that have one (UBL's)
   */
  globals?: Record<ElementKey, TypeKey>;
}

/** Whether a type key is a leaf's (with or without attributes, typed or not), empty content included. */
export function isLeaf(t: TypeKey): boolean {
  return t.startsWith(LEAF) || isEmpty(t);
}

/**
 * The lexical forms a leaf's text is checked against: the built-in types the schemas derive
 * their dates, times, amounts, quantities, counts and indicators from (the others, strings,
 * tokens, URIs, binaries, take any text).
 */
export const LEXICAL_TYPES = ['boolean', 'date', 'dateTime', 'decimal', 'integer', 'nonNegativeInteger', 'time'] as const;
export type LexicalType = (typeof LEXICAL_TYPES)[number];

/** A leaf key with the built-in type its text has (`#leaf/3~decimal`): `kind` itself when that type is not checked. */
export function typedLeaf(kind: TypeKey, builtin: string | undefined): TypeKey {
  return builtin !== undefined && (LEXICAL_TYPES as readonly string[]).includes(builtin) ? `${kind}~${builtin}` : kind;
}

/** The built-in type of a typed leaf key, and its key without it. */
export function leafType(t: TypeKey): { kind: TypeKey; type: LexicalType | undefined } {
  const i = t.indexOf('~');
  return i < 0 ? { kind: t, type: undefined } : { kind: t.slice(0, i), type: t.slice(i + 1) as LexicalType };
}

/** Whether a type key is empty content's (with or without attributes). */
export function isEmpty(t: TypeKey): boolean {
  return t === EMPTY || t.startsWith('#empty/');
}
