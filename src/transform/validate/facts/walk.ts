/**
 * Small helpers shared by the syntax-facts extractors: child iteration with positional
 * paths, xs:boolean reading, counting.
 */
import type { XNode } from '../../../xml/nodes';

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

/** Attribute names of a node (without the "@"). */
export function attrNames(node: XNode | undefined): string[] {
  const out: string[] = [];
  if (!isObj(node)) return out;
  for (const key in node) if (key.charCodeAt(0) === 64) out.push(key.slice(1));
  return out;
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
export function countPath(node: XNode | undefined, path: string[]): number {
  let cur: XNode[] = node === undefined ? [] : [node];
  for (const step of path) {
    const next: XNode[] = [];
    for (const c of cur) {
      if (!isObj(c)) continue;
      const v = c[step];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) next.push(x as XNode);
      else next.push(v as XNode);
    }
    cur = next;
    if (cur.length === 0) return 0;
  }
  return cur.length;
}

/** XPath cast to xs:boolean of an untyped value: true/1, false/0 (whitespace collapsed), else undefined. */
export function xsBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** `a/b[2]` step for a path: the position only when the element repeats. */
export function step(prefix: string, name: string, index: number, repeated: boolean): string {
  return repeated ? `/${prefix}${name}[${index + 1}]` : `/${prefix}${name}`;
}
