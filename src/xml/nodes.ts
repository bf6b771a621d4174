/**
 * Small accessors over fast-xml-parser's object tree (prefixes removed, attributes as "@name",
 * mixed text as "#text"). They hide the "one child is an object, two are an array" shape.
 */
export type XNode = string | { [key: string]: XNode | XNode[] | string };
type XObject = { [key: string]: XNode | XNode[] | string };

const splitCache = new Map<string, string[]>();
function steps(path: string): string[] {
  let s = splitCache.get(path);
  if (!s) {
    s = path.split('/');
    splitCache.set(path, s);
  }
  return s;
}

function isObject(n: unknown): n is XObject {
  return typeof n === 'object' && n !== null && !Array.isArray(n);
}

/** Every direct child named `name` (local name). */
export function kids(node: XNode | undefined, name: string): XNode[] {
  if (!isObject(node)) return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as XNode[]) : [v as XNode];
}

/** First direct child named `name`. */
export function kid(node: XNode | undefined, name: string): XNode | undefined {
  if (!isObject(node)) return undefined;
  const v = node[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? (v[0] as XNode) : (v as XNode);
}

/** Follows a slash-separated path of first children: at(n, 'Party/PostalAddress/CityName'). */
export function at(node: XNode | undefined, path: string): XNode | undefined {
  let cur: XNode | undefined = node;
  for (const s of steps(path)) {
    cur = kid(cur, s);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Every node reached by a path (fans out at each step). */
export function all(node: XNode | undefined, path: string): XNode[] {
  let cur: XNode[] = node === undefined ? [] : [node];
  for (const s of steps(path)) {
    const next: XNode[] = [];
    for (const c of cur) for (const k of kids(c, s)) next.push(k);
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

/** Text content of a node: '' for an empty element, undefined when the node is absent. */
export function textOf(node: XNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (isObject(node)) {
    const t = node['#text'];
    return typeof t === 'string' ? t : t === undefined ? '' : String(t);
  }
  return undefined;
}

/** Text at a path, undefined when absent. */
export function text(node: XNode | undefined, path: string): string | undefined {
  return textOf(at(node, path));
}

/** Attribute value of a node. */
export function attr(node: XNode | undefined, name: string): string | undefined {
  if (!isObject(node)) return undefined;
  const v = node['@' + name];
  return typeof v === 'string' ? v : undefined;
}

/** Names of the element children of a node, in document order of first appearance. */
export function childNames(node: XNode | undefined): string[] {
  if (!isObject(node)) return [];
  return Object.keys(node).filter((k) => k[0] !== '@' && k !== '#text');
}
