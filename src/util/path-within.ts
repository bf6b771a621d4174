/**
 * Whether a path is a folder or lies under it, by their texts (resolve links first where they
 * matter: util/real-path.ts). A sibling named `..cache` is under its parent, not above it.
 */
import path from 'node:path';

/** `inner` is `outer` or lies under it. */
export function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
