/**
 * Lists the files of an inbox tree that are candidates for processing. Temporary upload
 * names (*.filepart, *.part, *.tmp), dotfiles, `.done` markers and symbolic links are never
 * taken (a link could point outside the inbox).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface InboxEntry {
  abs: string;
  /** relative to the inbox root, with / separators */
  rel: string;
}

const IGNORED = /(\.filepart|\.part|\.tmp|\.done)$/i;

export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || IGNORED.test(name);
}

export async function scanInbox(root: string): Promise<InboxEntry[]> {
  const out: InboxEntry[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push({ abs, rel: path.relative(root, abs).split(path.sep).join('/') });
    }
  }
  await walk(root);
  return out;
}
