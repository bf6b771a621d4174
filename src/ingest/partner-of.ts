/**
 * Which partner a file belongs to: the partner whose configured inbox holds it, else the
 * partner named by the first folder under the inbox root — a configured partner, a
 * recipient's finance SI named after its recepteurId (the default `statusPartner`), or the MOE
 * of works invoices named after its recepteurId (it may suspend the invoices routed to it) —,
 * else, for a file directly in the inbox root, "default".
 *
 * A file under a first folder that names none of them has no partner: it was "default"'s, its
 * status flows written to statut/default/, which its partner never reads, and with `run
 * --remove` it left the inbox — a mistyped folder (acme-sftp for acme) lost every reply
 * unsaid. It is not taken (the caller says why, and it waits): `watch` never reads a folder
 * that is no partner's inbox either (it says one beside the inboxes that holds files: stray-folders.ts).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { within } from '../util/path-within';

export const DEFAULT_PARTNER = 'default';

/**
 * The rule id of a file not taken because its folder names no partner: said with the reason
 * wherever the reason is (run's log and console, trace, the reconciliation's not-picked-up), as
 * every refusal says its rule, so that an operator can grep for it and a report can count it.
 */
export const NO_PARTNER_RULE = 'FLUX-PARTENAIRE-INCONNU';

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

interface RealPaths {
  /** the configured inboxes with their links resolved */
  inboxes: { id: string; inbox: string }[];
  /** folders of files already asked about, resolved: a run's thousands of files share a few */
  folders: Map<string, string>;
  /** the folder names under an inbox root that name a partner (knownFolders) */
  known: Set<string>;
}

/** Once per configuration. */
const realPaths = new WeakMap<Config, RealPaths>();

function realPathsOf(config: Config): RealPaths {
  let found = realPaths.get(config);
  if (!found) {
    found = { inboxes: config.partners.flatMap((p) => (p.inbox ? [{ id: p.id, inbox: real(p.inbox) }] : [])), folders: new Map(), known: new Set(knownFolders(config)) };
    realPaths.set(config, found);
  }
  return found;
}

/** A file's partner, or why it has none: the first folder under the inbox root that names no partner chorus-flux knows. */
export type FileOwner = { partner: string } | { partner?: undefined; folder: string; rule: typeof NO_PARTNER_RULE; why: string; /** a folder beside watch's inboxes, which watch never reads (stray-folders.ts), not a folder of run's tree */ unread?: true };

export function ownerOf(config: Config, inboxRoot: string, abs: string): FileOwner {
  for (const p of config.partners) if (p.inbox && within(abs, p.inbox)) return { partner: p.id };
  // the inbox named another way: run given /data/sftp where the configuration says
  // /srv/sftp, a link to it (or the other way round). Its files went to "default": their
  // status flows to statut/default/, which the partner never reads, and its doneMarker unasked
  const { inboxes, folders, known } = realPathsOf(config);
  if (inboxes.length > 0) {
    const dir = path.dirname(abs);
    let realDir = folders.get(dir);
    if (realDir === undefined) folders.set(dir, (realDir = real(dir)));
    const owner = inboxes.find((p) => within(path.join(realDir!, path.basename(abs)), p.inbox));
    if (owner) return { partner: owner.id };
  }
  const rel = path.relative(inboxRoot, abs).split(path.sep);
  if (rel.length === 1) return { partner: DEFAULT_PARTNER };
  if (known.has(rel[0])) return { partner: rel[0] };
  return { folder: rel[0], rule: NO_PARTNER_RULE, why: unknownFolderWhy(rel[0], [...known], config) };
}

/** The folder names under an inbox root that name a partner: configured partners, then finance SIs and MOEs of the routing table. */
function knownFolders(config: Config): string[] {
  const ids = config.partners.map((p) => p.id);
  for (const r of config.recipients) for (const id of [r.statusPartner ?? r.recepteurId, r.moe?.recepteurId]) if (id !== undefined && !ids.includes(id)) ids.push(id);
  return ids;
}

/** How many known names a reason lists: a routing table of hundreds of buyers is not a sentence. */
const LISTED = 12;

/** A name with its case and Unicode form set aside: "ACME" and "acme" fold alike (two folders on a case-sensitive disk). */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

/** Names as a sentence lists them: the first twelve, then how many in all. */
export function listNames(names: readonly string[]): string {
  return `${names.slice(0, LISTED).join(', ')}${names.length > LISTED ? `, … (${names.length} in all)` : ''}`;
}

/**
 * Why a file under `folder` is not taken, and what to do. A name that differs from a partner's
 * only by case or Unicode form (an SFTP account "ACME" for the partner "acme") is not taken as
 * that partner's: on a case-sensitive disk they are two folders, and the configuration says which.
 */
function unknownFolderWhy(folder: string, known: string[], config: Config): string {
  const near = known.filter((id) => foldName(id) === foldName(folder));
  const listed = known.length === 0 ? 'none is configured' : listNames(known);
  const hint = near.length ? `it differs from ${near.map((id) => `"${id}"`).join(', ')} only by case or Unicode form; ` : '';
  const inbox = config.partners.length ? `, or set that partner's "inbox" to it in ${config.source}` : `, or add its partner to ${config.source} ("partners")`;
  return `the folder "${folder}" names no partner (${hint}partners, finance SIs and MOEs: ${listed}), and as the partner "${DEFAULT_PARTNER}" its replies would reach nobody. It waits in the inbox: rename the folder after its partner's id${inbox}`;
}
