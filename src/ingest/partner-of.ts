/**
 * Which partner a file belongs to: the partner whose configured inbox holds it, else the
 * partner named by the first folder under the inbox root — a configured partner, or a
 * recipient's finance SI named after its recepteurId (the default `statusPartner`) —, else
 * "default".
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
  if (rel.length > 1 && (config.partners.some((p) => p.id === rel[0]) || config.recipients.some((r) => (r.statusPartner ?? r.recepteurId) === rel[0]))) return rel[0];
  return DEFAULT_PARTNER;
}
