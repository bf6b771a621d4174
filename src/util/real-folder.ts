/**
 * Folders chorus-flux writes into are real folders under their root, never symbolic links. A
 * partner with SFTP access to its outbox (it pulls its files from there) could otherwise
 * replace statut/<partner>/ with a link to any folder the service may write — another
 * partner's outbox, the state — and every later write would follow it, the reconciliation
 * reading CLEAN. Checked after the folder is made and before each write; what is found is
 * said plainly, as a failure of the file (left for the next run), never followed.
 *
 * The root itself is configured and may be a link (a mount point); only what lies below it is
 * checked. Node has no openat(): a link swapped in between this check and the write is not
 * caught; the check closes the standing case, which is what a partner can set up.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export class FolderNotReal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderNotReal';
  }
}

/** Throws FolderNotReal when a folder on the way from `root` (excluded) to `dir` is a link or not a folder; a part not made yet is fine. */
export function checkRealFolders(root: string, dir: string): void {
  const rel = path.relative(root, dir);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return;
  let cur = root;
  for (const seg of rel.split(path.sep)) {
    if (seg === '') continue;
    cur = path.join(cur, seg);
    let st;
    try {
      st = lstatSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const shown = path.relative(root, cur).split(path.sep).join('/');
    if (st.isSymbolicLink()) {
      let to = '?';
      try {
        to = readlinkSync(cur);
      } catch {
        /* gone meanwhile */
      }
      throw new FolderNotReal(`the folder ${shown} under ${root} is a symbolic link (to ${to}): chorus-flux writes only into real folders there, and follows no link; remove the link (and find who made it: a partner with access to its folder?)`);
    }
    if (!st.isDirectory()) throw new FolderNotReal(`${shown} under ${root} is a file, not a folder: chorus-flux needs a folder there; remove or move the file (and find who made it: a partner with access to its folder?)`);
  }
}
