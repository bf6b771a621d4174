/**
 * Files of a name that are still waiting: in an inbox (not taken yet, and why that may be) or
 * in the processing area (claimed: queued, being processed, or waiting for a watcher's rescan
 * to queue it again). `trace` says so, because "where
 * is my file?" is often asked of a file the journal has not met: an upload under a temporary
 * name, one whose `.done` marker never came, one still being written.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { claimTimeMs, parseClaimed } from '../ingest/claim';
import { isIgnoredName } from '../ingest/scan';
import type { FileOwner } from '../ingest/partner-of';
import { ProcessedFiles } from '../state/processed-files';
import { sha256OfFile } from '../util/hash';
import type { SystemErrorNext } from '../journal/events';
import type { JournalLine } from '../journal/journal';
import type { TracedFile } from './trace';

export interface WaitingFile {
  where: 'inbox' | 'processing';
  sha256: string;
  /** none for a file in an inbox folder that names no partner (`run` never takes it), or in a folder beside the inboxes that `watch` never reads */
  partner?: string;
  /** absolute */
  path: string;
  bytes: number;
  /** last modified (ISO) */
  mtime: string;
  /** why it is still there, as far as can be told */
  why: string;
  /** the rule id, for a file no run takes (partner-of.ts) */
  rule?: string;
}

export interface WaitingPlace {
  root: string;
  ownerFor(abs: string): FileOwner;
}

async function entries(root: string): Promise<string[]> {
  try {
    return (await fs.readdir(root, { recursive: true })).map(String);
  } catch {
    return []; // an inbox that cannot be read: the reconciliation and the watcher say so
  }
}

/** An inbox-relative path and a path the operator gave (relative to the inbox, or absolute): one ends the other. */
function samePath(rel: string, given: string): boolean {
  return rel === given || rel.endsWith(`/${given}`) || given.endsWith(`/${rel}`);
}

/** `name` and the temporary names its upload may still have (what the scan never takes). */
function uploadNames(name: string): string[] {
  return [name, `${name}.part`, `${name}.filepart`, `${name}.tmp`, `.${name}`, `.${name}.part`];
}

/**
 * Files named `name` (or at the inbox path `name`), or still under a temporary name while
 * they upload (`name.part`…), in the inboxes and the processing area,
 * but those whose content has an outcome already: `run` leaves the files it took in place,
 * and a copy of processed bytes is no file waiting (the journal tells its story).
 */
export async function findWaiting(name: string, config: Config, inboxes: WaitingPlace[]): Promise<WaitingFile[]> {
  const out: WaitingFile[] = [];
  const processed = new ProcessedFiles(config.paths.state);
  /** the file's SHA-256 while its content has no outcome yet; undefined once it has one (or cannot be read) */
  const unprocessedSha = async (abs: string): Promise<string | undefined> => {
    const sha = await sha256OfFile(abs).catch(() => undefined);
    if (!sha) return undefined;
    return (await processed.get(sha)) ? undefined : sha;
  };
  const stat = async (abs: string) => fs.lstat(abs).catch(() => undefined);
  // the name as it may still stand in an inbox: under a temporary name while it uploads
  const names = new Set(uploadNames(path.basename(name)));
  const prefix = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
  const seen = new Set<string>(); // a partner's inbox may sit inside the run's inbox root: listed once
  for (const { root, ownerFor } of inboxes) {
    for (const rel of await entries(root)) {
      const relPosix = rel.split(path.sep).join('/');
      const base = path.basename(rel);
      if (!names.has(base) || (prefix && !samePath(relPosix, `${prefix}${base}`))) continue;
      const abs = path.join(root, rel);
      if (seen.has(abs)) continue;
      seen.add(abs);
      const st = await stat(abs);
      if (!st?.isFile()) continue;
      const sha256 = await unprocessedSha(abs);
      if (!sha256) continue;
      const owner = ownerFor(abs);
      const partner = owner.partner;
      const p = config.partners.find((x) => x.id === partner);
      let why: string;
      if (owner.partner === undefined) why = `${owner.unread ? 'watch never reads its folder' : 'run never takes it'}: ${owner.rule} ${owner.why}`;
      else if (isIgnoredName(base)) why = 'a temporary, hidden or marker name (*.part, *.filepart, *.tmp, *.done, .*): never taken; it is taken once renamed to its final name';
      else if (p?.doneMarker && !existsSync(`${abs}.done`)) why = `waits for its ${base}.done marker: partner ${partner} marks its finished uploads so`;
      else why = `not taken yet: the watcher takes a file once its size and time hold still for watch.stableMs (${config.watch.stableMs} ms); run takes it at its next run`;
      out.push({ where: 'inbox', sha256, partner, path: abs, bytes: st.size, mtime: st.mtime.toISOString(), why, ...(owner.partner === undefined ? { rule: owner.rule } : {}) });
    }
  }
  const processing = config.paths.processing;
  for (const rel of await entries(processing)) {
    const parts = rel.split(path.sep);
    if (parts.length !== 2) continue;
    const claimed = parseClaimed(path.join(processing, rel), parts[0]);
    if (!claimed || claimed.name !== name) continue;
    const st = await stat(claimed.path);
    if (!st?.isFile()) continue;
    const sha256 = await unprocessedSha(claimed.path);
    if (!sha256) continue; // finished: a worker removes it in a moment
    const at = claimTimeMs(claimed.claimId);
    out.push({
      where: 'processing',
      sha256,
      partner: claimed.partner,
      path: claimed.path,
      bytes: st.size,
      mtime: st.mtime.toISOString(),
      why: claimedWhy(at, config),
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Why a claimed file is in processing/, as far as the disk tells: trace does not ask Redis, and
 * the job may be gone (Redis restarted without its data, flushed) or never made (the claim's
 * queuing failed). It said "queued" of such a file, which waits for a watcher's rescan.
 */
function claimedWhy(atMs: number | undefined, config: Config): string {
  const at = atMs ? ` at ${new Date(atMs).toISOString()}` : '';
  return (
    `claimed by the watcher${at}: queued, being processed or failed if Redis has its job (trace reads the disk, not the queue: chorus-flux jobs --config ${config.source} shows it; a failed job waits for retry or set-aside); ` +
    `if Redis has none (restarted without its data or flushed, or the claim could not be queued), a running watcher's rescan queues it again within watch.rescanMs (${config.watch.rescanMs} ms), and none does while no watcher runs`
  );
}

/** What comes next for a file whose worker's attempt failed, by what the queue does with its job. */
const NEXT_FOR_JOB: Record<SystemErrorNext, (configFile: string) => string> = {
  retried: (c) => `its job is tried again by itself after its backoff (chorus-flux jobs --config ${c} shows it delayed): nothing to do unless it keeps failing`,
  requeued: () => 'its job went back to the queue: another worker takes it',
  failed: (c) => `its job failed: chorus-flux jobs --config ${c} shows it; retry or set-aside once the cause is fixed`,
};

/** The queue's next step after a system-error line (lines written before `job` was journaled: from their words). */
function nextForJob(l: Extract<JournalLine, { event: 'system-error' }>): SystemErrorNext {
  return l.job ?? (/^attempt \d+ of \d+ failed \(retried\)/.test(l.message) ? 'retried' : 'failed');
}

/**
 * A waiting file the journal met and whose last line is a system failure was taken and failed:
 * it is not "not taken yet". Says so, with the failure, where the journal has it, and what comes
 * next: a job in its backoff is retried by itself (it is in no failed list: `retry` would say
 * not-failed), one given up on waits for the operator.
 */
export function explainFailures(waiting: WaitingFile[], files: readonly TracedFile[], configFile: string): WaitingFile[] {
  return waiting.map((w) => {
    const last = files.find((f) => f.sha256 === w.sha256)?.lines.at(-1);
    if (last?.line.event !== 'system-error') return w;
    const job = nextForJob(last.line);
    const next = w.where === 'inbox' ? 'left in the inbox: the next run takes it again, once the cause is fixed' : NEXT_FOR_JOB[job](configFile);
    return { ...w, why: `taken at ${last.line.ts}${job === 'requeued' ? '' : ' and failed'}: ${last.line.message} (${last.ref}); ${next}` };
  });
}
