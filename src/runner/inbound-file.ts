/**
 * What `run` takes from an inbox: every file the scan lists, less those whose upload is not
 * known to be finished — a partner with `doneMarker` has not dropped `<name>.done` yet, or the
 * file was modified less than `minAgeMs` ago (`run --min-age`, for a `run` started by cron over
 * a live SFTP folder). Those wait for the next run: `run` never takes half an upload, and
 * never refuses one (a partner would get a rejection for a file it had not finished sending).
 * Nor does it take a file whose folder names no partner (partner-of.ts): refused, it could be
 * answered to nobody; it waits, said as an error, until the folder or the configuration is fixed.
 */
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { ownerOf, type NO_PARTNER_RULE } from '../ingest/partner-of';
import { lastWrittenMs } from '../ingest/receipt-time';
import { faultPoint } from '../util/fault';
import { doneMarkerOf, doneMarkerThere, openPath, scanInbox, type InboxEntry, type SkippedEntry } from '../ingest/scan';
import { sizeOnDisk } from './in-flight-budget';
import { sourceOf, type InboundFile } from './inbound-source';
import { identityOf, removeIfUnchanged, sameFile, type FileIdentity } from './remove-taken';

/** A file left in the inbox for the next run, and why. */
export interface WaitingEntry {
  rel: string;
  why: string;
}

/** A file not taken because the folder it is in names no partner (partner-of.ts): it waits until an operator acts. */
export interface NoPartnerEntry extends WaitingEntry {
  /** the first folder under the inbox root */
  folder: string;
  rule: typeof NO_PARTNER_RULE;
}

export interface RunInboxOptions {
  /** files modified less than this long ago wait for the next run. Default 0 (every file is taken). */
  minAgeMs?: number;
  /** the clock for `minAgeMs`. Default Date.now. */
  now?: () => number;
  onSkipped?(e: SkippedEntry): void;
  onWaiting?(e: WaitingEntry): void;
  /** a file whose folder names no partner: not taken, left in the inbox */
  onNoPartner?(e: NoPartnerEntry): void;
  /** a listed file removed from the inbox before it was read (FileNotTaken 'gone'): nothing was done with it */
  onGone?(e: WaitingEntry): void;
  /** asked to stop (a signal): no file is begun any more, those begun are finished */
  stopRequested?(): boolean;
  /** remove each file from the inbox once it has its outcome (remove-taken.ts). Default false */
  removeTaken?: boolean;
  /** a file with its outcome that was not removed (`removeTaken`): it changed meanwhile, or the removal failed */
  onKept?(e: WaitingEntry): void;
}

/**
 * After a file's outcome, with `removeTaken`: removes it if still the one taken, else says why it
 * stays. Its `.done` marker goes with it, as `watch` removes it once the file is claimed: left
 * behind, it announced the next upload of that name finished from its first byte, and half a
 * file was taken and refused. The marker goes first: a run killed between the two removals
 * leaves the file (already processed, found so if announced again) waiting for a marker, never
 * a marker alone.
 */
export function removeAfterOutcome(config: Config, file: InboundFile, taken: FileIdentity | undefined, opts: RunInboxOptions): void {
  if (!opts.removeTaken || !taken) return;
  const changed = () => opts.onKept?.({ rel: file.relPath, why: 'it changed while it was processed (uploaded again?): kept in the inbox; the next run takes it' });
  try {
    const source = sourceOf(file);
    if (config.partners.some((p) => p.id === file.partner && p.doneMarker)) {
      const now = identityOf(source);
      if (now && !sameFile(now, taken)) return changed(); // its marker is the new upload's
      rmSync(doneMarkerOf(source), { force: true });
      faultPoint('between-removals');
    }
    if (removeIfUnchanged(source, taken) === 'changed') changed();
  } catch (e) {
    opts.onKept?.({ rel: file.relPath, why: `it could not be removed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): kept in the inbox; the next run finds it already processed` });
  }
}

export interface RunInbox {
  files: InboundFile[];
  skipped: SkippedEntry[];
  waiting: WaitingEntry[];
  noPartner: NoPartnerEntry[];
}

export function inboundFileOf(e: InboxEntry, partner: string): InboundFile {
  const file: InboundFile = { path: e.abs, name: path.basename(e.abs), relPath: e.rel, partner };
  if (e.raw) {
    file.rawPath = e.raw;
    file.rawRelPath = e.rawRel;
  }
  return file;
}

/** The files of an inbox tree that `run` takes now, in inbox order. */
export async function listRunInbox(config: Config, inbox: string, opts: RunInboxOptions = {}): Promise<RunInbox> {
  const skipped: SkippedEntry[] = [];
  const waiting: WaitingEntry[] = [];
  const noPartner: NoPartnerEntry[] = [];
  const entries = await scanInbox(inbox, (e) => {
    skipped.push(e);
    opts.onSkipped?.(e);
  });
  const markers = new Set(config.partners.filter((p) => p.doneMarker).map((p) => p.id));
  const minAgeMs = opts.minAgeMs ?? 0;
  const now = (opts.now ?? Date.now)();
  const files: InboundFile[] = [];
  const wait = (rel: string, why: string) => {
    const w = { rel, why };
    waiting.push(w);
    opts.onWaiting?.(w);
  };
  for (const e of entries) {
    const owner = ownerOf(config, inbox, e.abs);
    if (owner.partner === undefined) {
      const n = { rel: e.rel, why: owner.why, folder: owner.folder, rule: owner.rule };
      noPartner.push(n);
      opts.onNoPartner?.(n);
      continue;
    }
    const file = inboundFileOf(e, owner.partner);
    const source = openPath(e);
    if (markers.has(file.partner) && !(await doneMarkerThere(source))) {
      wait(e.rel, `partner ${file.partner} announces finished uploads with <name>.done, and ${path.basename(e.rel)}.done is not there yet`);
      continue;
    }
    if (minAgeMs > 0) {
      let mtimeMs: number;
      try {
        mtimeMs = lastWrittenMs(statSync(source));
      } catch {
        continue; // gone since the scan
      }
      if (now - mtimeMs < minAgeMs) {
        wait(e.rel, `modified ${Math.max(0, Math.round((now - mtimeMs) / 1000))} s ago, less than --min-age ${Math.round(minAgeMs / 1000)} s: it may still be uploading`);
        continue;
      }
      // looked at again when it is read: a partner may upload it again meanwhile
      file.settledBefore = now - minAgeMs;
    }
    files.push(file);
  }
  return { files, skipped, waiting, noPartner };
}

/** The size of an inbound file on disk (0 when it is gone). */
export function inboundSize(file: InboundFile): number {
  return sizeOnDisk(sourceOf(file));
}

/**
 * A listed file the pipeline did not take after all (process-file.ts FileNotTaken): one that
 * changed since it was listed waits for the next run (it is in `waiting`); one that was removed
 * is said, and counts nowhere else.
 */
export function noteNotTaken(rel: string, why: 'changed' | 'gone', message: string, waiting: WaitingEntry[], opts: RunInboxOptions): void {
  const e = { rel, why: message };
  if (why === 'gone') {
    opts.onGone?.(e);
    return;
  }
  waiting.push(e);
  opts.onWaiting?.(e);
}
