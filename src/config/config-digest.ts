/**
 * What of a configuration decides an invoice's outcome or outputs, as one digest per top-level
 * section: `watch` publishes its own (queue/config-reference.ts) and each worker compares
 * (runner/config-skew.ts), so that a worker started with another file than the watcher's (a
 * recipient added on one machine only) takes no job and says which sections differ.
 *
 * Machine-local settings are left out: where the inboxes and outputs are mounted (paths,
 * partners' inbox, watch.notInboxes), Redis, the ports, the worker's concurrency and budget,
 * the dashboard. So is what only `watch` uses (watch.*, worker.attempts/backoffMs set on the
 * jobs it queues, reconcile.cron it schedules).
 */
import { createHash } from 'node:crypto';
import type { Config } from './config';

/** A section's values that count, from the loaded (normalised, defaults filled) configuration. */
const SECTIONS: Record<string, (c: Config) => unknown> = {
  // the order of the table changes no outcome (one entry per SIRET): sorted, so that moving an entry is no difference
  recipients: (c) => [...c.recipients].sort((a, b) => a.siret.localeCompare(b.siret)),
  partners: (c) => [...c.partners].map(({ inbox: _machineLocal, ...rest }) => rest).sort((a, b) => a.id.localeCompare(b.id)),
  emitter: (c) => c.emitter,
  timezone: (c) => c.timezone,
  receiptTime: (c) => c.receiptTime,
  limits: (c) => c.limits,
  facturx: (c) => c.facturx,
  lifecycle: (c) => c.lifecycle,
  reconcile: (c) => ({ ...c.reconcile, cron: undefined }),
  retention: (c) => c.retention,
};

/** JSON with keys sorted at every level (undefined values dropped): the same settings, the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export type ConfigDigests = Record<string, string>;

export function configDigests(config: Config): ConfigDigests {
  const out: ConfigDigests = {};
  for (const [name, of] of Object.entries(SECTIONS)) out[name] = createHash('sha256').update(canonical(of(config))).digest('hex').slice(0, 16);
  return out;
}

/** The sections whose digests differ (one missing on either side counts: another version's sections). */
export function differingSections(mine: ConfigDigests, theirs: ConfigDigests): string[] {
  return [...new Set([...Object.keys(mine), ...Object.keys(theirs)])].filter((k) => mine[k] !== theirs[k]).sort();
}
