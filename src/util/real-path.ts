/**
 * A path with the symbolic links of its existing part resolved, so that one folder named two
 * ways (/srv/chorus-flux, a link to /data/chorus-flux) compares equal, even before the rest
 * of it is made.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** The longest existing folder `p` starts with, and the names after it that do not exist yet. */
export function nearestExisting(p: string): { head: string; tail: string[] } {
  let head = path.resolve(p);
  const tail: string[] = [];
  while (!existsSync(head) && path.dirname(head) !== head) {
    tail.unshift(path.basename(head));
    head = path.dirname(head);
  }
  return { head, tail };
}

/** `p` with its existing part's symbolic links resolved (the rest may not exist yet). */
export function realPath(p: string): string {
  const found = nearestExisting(p);
  let head = found.head;
  try {
    head = realpathSync(head);
  } catch {
    /* unreadable: compare as written */
  }
  return path.join(head, ...found.tail);
}
