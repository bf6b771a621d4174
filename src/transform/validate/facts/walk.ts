/**
 * Small helpers shared by the syntax-facts extractors: child iteration with positional
 * paths, xs:boolean reading, counting.
 */
import type { XNode } from '../../../xml/nodes';
import { xmlTrim } from '../../../xml/xml-space';

export type XObject = { [key: string]: XNode | XNode[] | string };

export function isObj(n: unknown): n is XObject {
  return typeof n === 'object' && n !== null && !Array.isArray(n);
}

/** Calls fn for every element child (document order within a name; names in first-seen order). */
export function eachChild(node: XNode | undefined, fn: (name: string, child: XNode, index: number, repeated: boolean) => void): void {
  if (!isObj(node)) return;
  for (const key in node) {
    const c0 = key.charCodeAt(0);
    if (c0 === 64 /* @ */ || c0 === 35 /* # */) continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) fn(key, v[i] as XNode, i, true);
    } else fn(key, v as XNode, 0, false);
  }
}

/** Element children names (keys), excluding attributes and text. */
export function childKeys(node: XNode | undefined): string[] {
  const out: string[] = [];
  if (!isObj(node)) return out;
  for (const key in node) {
    const c0 = key.charCodeAt(0);
    if (c0 !== 64 && c0 !== 35) out.push(key);
  }
  return out;
}

const NO_NAMES: string[] = [];

/** Attribute names of a node (without the "@"); a shared empty array when there are none (do not mutate). */
export function attrNames(node: XNode | undefined): string[] {
  if (!isObj(node)) return NO_NAMES;
  let out: string[] | undefined;
  for (const key in node) if (key.charCodeAt(0) === 64) (out ??= []).push(key.slice(1));
  return out ?? NO_NAMES;
}

export function hasElementChildren(node: XNode | undefined): boolean {
  if (!isObj(node)) return false;
  for (const key in node) {
    const c0 = key.charCodeAt(0);
    if (c0 !== 64 && c0 !== 35) return true;
  }
  return false;
}

/** Number of direct children named `name`. */
export function countKids(node: XNode | undefined, name: string): number {
  if (!isObj(node)) return 0;
  const v = node[name];
  return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
}

/** Number of nodes reached by a slash path (fan-out at each step, like XPath count()). */
export function countPath(node: XNode | undefined, path: readonly string[], from = 0): number {
  if (from === path.length) return node === undefined ? 0 : 1;
  if (!isObj(node)) return 0;
  const v = node[path[from]];
  if (v === undefined) return 0;
  if (!Array.isArray(v)) return countPath(v as XNode, path, from + 1);
  if (from === path.length - 1) return v.length;
  let n = 0;
  for (const x of v) n += countPath(x as XNode, path, from + 1);
  return n;
}

/** An attribute read with a constant "@name" key (no string building per call). */
export function at(node: XNode | undefined, key: `@${string}`): string | undefined {
  if (!isObj(node)) return undefined;
  const v = node[key];
  return typeof v === 'string' ? v : undefined;
}

/** XPath cast to xs:boolean of an untyped value: true/1, false/0 (XML white space collapsed: not a no-break space), else undefined. */
export function xsBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = xmlTrim(text);
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

const SEGMENTS = new Map<string, Map<string, string>>();

/** `/prefix:name` (cached) or `/prefix:name[n]` when the element repeats: one step of a path. */
export function step(prefix: string, name: string, index: number, repeated: boolean): string {
  let byName = SEGMENTS.get(prefix);
  if (!byName) SEGMENTS.set(prefix, (byName = new Map()));
  let seg = byName.get(name);
  if (seg === undefined) {
    seg = `/${prefix}${name}`;
    if (byName.size < 5000) byName.set(name, seg);
  }
  return repeated ? `${seg}[${index + 1}]` : seg;
}
