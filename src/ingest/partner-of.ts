/**
 * Which partner a file belongs to: the partner whose configured inbox holds it, else the
 * partner named by the first folder under the inbox root — a configured partner, a
 * recipient's finance SI named after its recepteurId (the default `statusPartner`), or the MOE
 * of works invoices named after its recepteurId (it may suspend the invoices routed to it) —,
 * else "default".
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';

export const DEFAULT_PARTNER = 'default';

/** `inner` is `outer` or lies under it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

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
}

/** Once per configuration. */
const realPaths = new WeakMap<Config, RealPaths>();

function realPathsOf(config: Config): RealPaths {
  let found = realPaths.get(config);
  if (!found) {
    found = { inboxes: config.partners.flatMap((p) => (p.inbox ? [{ id: p.id, inbox: real(p.inbox) }] : [])), folders: new Map() };
    realPaths.set(config, found);
  }
  return found;
}

export function partnerOf(config: Config, inboxRoot: string, abs: string): string {
  for (const p of config.partners) if (p.inbox && within(abs, p.inbox)) return p.id;
  // the inbox named another way: run given /data/sftp where the configuration says
  // /srv/sftp, a link to it (or the other way round). Its files went to "default": their
  // status flows to statut/default/, which the partner never reads, and its doneMarker unasked
  const { inboxes, folders } = realPathsOf(config);
  if (inboxes.length > 0) {
    const dir = path.dirname(abs);
    let realDir = folders.get(dir);
    if (realDir === undefined) folders.set(dir, (realDir = real(dir)));
    const owner = inboxes.find((p) => within(path.join(realDir!, path.basename(abs)), p.inbox));
    if (owner) return owner.id;
  }
  const rel = path.relative(inboxRoot, abs).split(path.sep);
  if (rel.length > 1 && knownPartner(config, rel[0])) return rel[0];
  return DEFAULT_PARTNER;
}

function knownPartner(config: Config, folder: string): boolean {
  return config.partners.some((p) => p.id === folder) || config.recipients.some((r) => (r.statusPartner ?? r.recepteurId) === folder || r.moe?.recepteurId === folder);
}
