/**
 * The content models of the UBL 2.1 and CII D16B schemas, as tables: for each complex type,
 * the sequence of child elements it allows (name, least and most occurrences, their type).
 * Read from the official XSDs by `build-content-model.ts` into `schemas/*.structure.json`;
 * `structure.ts` checks a document against them.
 *
 * Both schemas are sequences of distinct elements all the way down (no group, no repeated
 * particle; CII's date, date-time and indicator types are a choice of two leaves): a sequence
 * walked once in order decides membership exactly as a schema validator does for the
 * element structure.
 */

/** `<namespace index>:<local name>`, e.g. `2:Party` */
export type ElementKey = string;
/** `<namespace index>:<type name>` of a complex type, or a content kind */
export type TypeKey = string;

/**
 * Text only, no child element (a basic component, a data type), and no attribute. A leaf
 * with attributes is `#leaf/<n>`, n indexing `leafAttributes`.
 */
export const LEAF = '#leaf';
/** Anything (UBL ExtensionContent): not looked into. */
export const ANY = '#any';

/** One particle of a sequence: element, minOccurs, maxOccurs (-1: unbounded), its type. */
export type Particle = [ElementKey, number, number, TypeKey];

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
  /** the attributes each kind of leaf allows: [name, required] (unqualified names) */
  leafAttributes: [string, boolean][][];
  /** the attributes of the complex types that have some (the pivot's NumOrdre, Version…); the others take none */
  aggregateAttributes: Record<TypeKey, [string, boolean][]>;
}

/** Whether a type key is a leaf's (with or without attributes). */
export function isLeaf(t: TypeKey): boolean {
  return t === LEAF || t.startsWith('#leaf/');
}
