/**
 * Which partner a file belongs to: the partner whose configured inbox holds it, else the
 * partner named by the first folder under the inbox root — a configured partner, a
 * recipient's finance SI named after its recepteurId (the default `statusPartner`), or the MOE
 * of works invoices named after its recepteurId (it may suspend the invoices routed to it) —,
 * else "default".
 */
import path from 'node:path';
import type { Config } from '../config/config';

export const DEFAULT_PARTNER = 'default';

export function partnerOf(config: Config, inboxRoot: string, abs: string): string {
  for (const p of config.partners) {
    if (!p.inbox) continue;
    const rel = path.relative(p.inbox, abs);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return p.id;
  }
  const rel = path.relative(inboxRoot, abs).split(path.sep);
  if (rel.length > 1 && knownPartner(config, rel[0])) return rel[0];
  return DEFAULT_PARTNER;
}

function knownPartner(config: Config, folder: string): boolean {
  return config.partners.some((p) => p.id === folder) || config.recipients.some((r) => (r.statusPartner ?? r.recepteurId) === folder || r.moe?.recepteurId === folder);
}
