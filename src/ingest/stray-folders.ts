/**
 * Upload folders `watch` never reads: a folder beside the configured inboxes that is no
 * partner's inbox — a new partner's SFTP account (`initech/` beside `acme/` and `globex/`), a
 * mistyped one (`acme-sftp/`) — holding files that would be taken were it an inbox. `watch`
 * reads the configured inboxes only, so such files waited for ever and nobody was told. They
 * are still not taken (whose would they be?): they are said, with the rule
 * FLUX-PARTENAIRE-INCONNU, by `watch` (its log and a gauge) and by the nightly reconciliation.
 *
 * Not every folder beside an inbox is an upload folder; these are never one:
 *  - the folders beside an inbox that is not named after its partner: beside /home/acme/in lie
 *    acme's own out/ and archive/, not other partners' inboxes. A parent counts when one of its
 *    inboxes bears its partner's id (the layout /srv/sftp/<partner>/ of docs/OPERATIONS.md);
 *  - a configured inbox, a folder that holds one (a deeper layout), the output root, state,
 *    processing and the folders chorus-flux writes in (an inbox may sit beside them), and the
 *    configuration file's folder;
 *  - the folders the configuration says are no upload folder (`watch.notInboxes`: another
 *    application's SFTP account in the same chroot), and what lies under them;
 *  - dot-names and temporary names (isIgnoredName), symbolic links (never followed), a folder
 *    that cannot be read;
 *  - a folder with no file the inbox scan would take (only temporary uploads, or empty).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { isBundledExample, type Config, type Partner } from '../config/config';
import { OUTPUT_FOLDERS } from '../config/folders';
import { realPath } from '../util/real-path';
import { foldName, listNames, NO_PARTNER_RULE, type FileOwner } from './partner-of';
import { isIgnoredName, scanInbox, type InboxEntry } from './scan';
import { within } from '../util/path-within';

export interface StrayFolder {
  /** the folder, under its parent as the configuration names it */
  folder: string;
  /** the files there an inbox scan would take */
  files: InboxEntry[];
  rule: typeof NO_PARTNER_RULE;
  /** why its files wait and what to do, after the rule id */
  why: string;
}

type Inbox = { partner: Partner; path: string };

function inboxesOf(config: Config): Inbox[] {
  return config.partners.flatMap((p) => (p.inbox ? [{ partner: p, path: p.inbox }] : []));
}

/** The folders that hold the configured inboxes and hold partners' folders: one inbox in them bears its partner's id. */
export function strayParents(config: Config): string[] {
  const parents = new Map<string, string>();
  for (const i of inboxesOf(config)) {
    if (foldName(path.basename(i.path)) !== foldName(i.partner.id)) continue;
    const parent = path.dirname(i.path);
    const real = realPath(parent);
    if (!parents.has(real)) parents.set(real, parent);
  }
  return [...parents.values()].sort();
}

/** The folders, real paths, that are chorus-flux's own or that hold them: never an upload folder. */
function ownFolders(config: Config): { inboxes: string[]; written: string[]; roots: string[]; others: string[] } {
  const out = config.paths.out;
  return {
    inboxes: inboxesOf(config).map((i) => realPath(i.path)),
    // the folders chorus-flux writes in: neither they nor what lies under them
    written: [config.paths.state, config.paths.processing, ...OUTPUT_FOLDERS.map((f) => path.join(out, f))].map(realPath),
    // the output root and the configuration's folder: not they, nor a folder that holds them
    roots: [out, ...(isBundledExample(config) || !path.isAbsolute(config.source) ? [] : [path.dirname(config.source)])].map(realPath),
    // said to be no upload folder (watch.notInboxes)
    others: config.watch.notInboxes.map(realPath),
  };
}

/**
 * The folders beside the configured inboxes that would be upload folders no partner reads, were
 * there files in them (the bundled example's inboxes are the project's fixtures: none).
 */
export function strayCandidates(config: Config): string[] {
  if (isBundledExample(config)) return [];
  const own = ownFolders(config);
  const found: string[] = [];
  for (const parent of strayParents(config)) {
    let entries;
    try {
      entries = readdirSync(parent, { withFileTypes: true });
    } catch {
      continue; // a parent that cannot be read: its inboxes' own scans say so
    }
    for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!d.isDirectory() || isIgnoredName(d.name)) continue; // a link is never followed
      const folder = path.join(parent, d.name);
      const real = realPath(folder);
      if (own.inboxes.some((i) => within(i, real)) || own.written.some((w) => within(w, real) || within(real, w)) || own.roots.some((r) => within(r, real)) || own.others.some((o) => within(real, o))) continue;
      found.push(folder);
    }
  }
  return found;
}

/** The upload folders beside the configured inboxes that no partner reads, with their files (none without). */
export async function strayFolders(config: Config): Promise<StrayFolder[]> {
  const found: StrayFolder[] = [];
  for (const folder of strayCandidates(config)) {
    const files = await scanInbox(folder).catch(() => [] as InboxEntry[]); // one that cannot be read is not said
    if (files.length > 0) found.push({ folder, files, rule: NO_PARTNER_RULE, why: strayFolderWhy(config, folder) });
  }
  return found;
}

/** Whose a file of such a folder is: no one's, and why (for trace, beside run's folders that name no partner). */
export function strayOwner(config: Config, folder: string): FileOwner {
  return { folder: path.basename(folder), rule: NO_PARTNER_RULE, why: strayFolderWhy(config, folder), unread: true };
}

/** The partners a folder's name points to: one named so, or whose inbox is named so, up to case and Unicode form. */
function namedAlike(config: Config, name: string): string[] {
  return inboxesOf(config).flatMap(({ partner, path: inbox }) => {
    const names = [partner.id, path.basename(inbox)];
    if (!names.some((n) => foldName(n) === foldName(name))) return [];
    const how = names.includes(name) ? 'bears the name of' : 'differs only by case or Unicode form from';
    return [`it ${how} the partner "${partner.id}", whose inbox is ${inbox}`];
  });
}

/**
 * Why the files of a folder beside the inboxes wait, and what to do: said after the rule id by
 * `watch` and the reconciliation.
 */
export function strayFolderWhy(config: Config, folder: string): string {
  const alike = namedAlike(config, path.basename(folder));
  const inboxes = listNames(inboxesOf(config).map((i) => `${i.path} (${i.partner.id})`));
  return `the folder ${folder} lies beside the partners' inboxes but is none of them, and watch reads the configured inboxes only (${inboxes})${alike.length ? `; ${alike.join('; ')}` : ''}. Nothing is taken from it: set its partner's "inbox" to it in ${config.source} (a new partner: add it to "partners"), or move the files into their partner's inbox; a folder that is no partner's upload folder is listed in "watch.notInboxes"`;
}
